import { createContext, useContext, useMemo, useState, type ReactNode } from 'react';

/**
 * The signed-in token (from `npm run token`), kept for this browser tab only (sessionStorage)
 * and sent as `Authorization: Bearer …` with every operation, as the explorer does.
 */
const KEY = 'su-shaan-hub.console.token';

/** What a token says of its holder, read without checking it: the hub checks it on each request. */
export interface TokenHolder {
  role: string;
  subject?: string;
  organization?: string;
}

/** The token's claims, or null when it is not a JWT with a role. */
export function holderOf(token: string): TokenHolder | null {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1]) return null;
  try {
    const json = atob(parts[1].replace(/-/g, '+').replace(/_/g, '/'));
    const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0)))) as Record<string, unknown>;
    if (typeof claims['role'] !== 'string') return null;
    return {
      role: claims['role'],
      ...(typeof claims['sub'] === 'string' ? { subject: claims['sub'] } : {}),
      ...(typeof claims['org'] === 'string' ? { organization: claims['org'] } : {}),
    };
  } catch {
    return null;
  }
}

interface Session {
  token: string | null;
  holder: TokenHolder | null;
  signIn(token: string): void;
  signOut(): void;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [token, setToken] = useState<string | null>(() => sessionStorage.getItem(KEY));
  const session = useMemo<Session>(
    () => ({
      token,
      holder: token ? holderOf(token) : null,
      signIn(next) {
        sessionStorage.setItem(KEY, next);
        setToken(next);
      },
      signOut() {
        sessionStorage.removeItem(KEY);
        setToken(null);
      },
    }),
    [token],
  );
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}
