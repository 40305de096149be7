import { useState, type MouseEvent, type ReactNode } from 'react';
import { fill, useMessages } from '../../i18n.tsx';
import { useSession } from '../../session.tsx';
import { messages } from './messages.ts';

/**
 * A file the hub serves beside GraphQL (a package's PDF, its spreadsheets), fetched with the
 * signed-in token when there is one: a package not yet signed is printed for the offices and
 * its signatories only, and a browser following the plain link would send no token (nor ask
 * for the file rather than a page). The link keeps the file's own path, to copy or to fetch.
 */
export function Download({ path, type, filename, testId, children }: { path: string; type: string; filename: string; testId?: string; children: ReactNode }) {
  const t = useMessages(messages);
  const { token } = useSession();
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const download = async (event: MouseEvent<HTMLAnchorElement>) => {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      const response = await fetch(path, { headers: { accept: type, ...(token ? { authorization: `Bearer ${token}` } : {}) } });
      if (!response.ok) {
        const body = (await response.json().catch(() => null)) as { error?: { code?: string; message?: string }; errors?: { message: string; extensions?: { code?: string } }[] } | null;
        const code = body?.error?.code ?? body?.errors?.[0]?.extensions?.code ?? `HTTP_${response.status}`;
        const message = body?.error?.message ?? body?.errors?.[0]?.message ?? response.statusText;
        setProblem(fill(t.downloadFailed, { code, message }));
        return;
      }
      const url = URL.createObjectURL(await response.blob());
      const anchor = document.createElement('a');
      anchor.href = url;
      anchor.download = filename;
      document.body.append(anchor);
      anchor.click();
      anchor.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (error) {
      setProblem(fill(t.downloadFailed, { code: 'NETWORK', message: (error as Error).message }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <span className="download">
      <a href={path} type={type} data-testid={testId} aria-busy={busy || undefined} onClick={(event) => void download(event)}>
        {children}
      </a>
      {problem && (
        <span className="download-problem" role="alert">
          {problem}
        </span>
      )}
    </span>
  );
}
