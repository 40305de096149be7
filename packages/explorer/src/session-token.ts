/**
 * The signed-in token, kept for this browser tab only (sessionStorage: gone when the tab is
 * closed, never shared with other tabs), and sent as `Authorization: Bearer …` with every
 * operation the explorer runs.
 */
const KEY = 'su-shaan-hub.explorer.token';

export function storedToken(): string | null {
  return sessionStorage.getItem(KEY);
}

export function keepToken(token: string | null): void {
  if (token === null) sessionStorage.removeItem(KEY);
  else sessionStorage.setItem(KEY, token);
}

/** What a token says of its holder, read without checking it: the hub checks it on each request. */
export interface TokenHolder {
  role: string;
  subject?: string;
  organization?: string;
}

/** The token's claims, or null when it is not a JWT at all. */
export function holderOf(token: string): TokenHolder | null {
  const payload = token.split('.')[1];
  if (token.split('.').length !== 3 || !payload) return null;
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
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
