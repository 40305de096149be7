import { useState, type FormEvent } from 'react';
import { fill, useMessages } from '../i18n.tsx';
import { common } from '../messages.ts';
import { holderOf, useSession } from '../session.tsx';

/** The token sign-in of the header: a token from `npm run token`, kept for the tab. */
export function SignIn() {
  const t = useMessages(common);
  const session = useSession();
  const [draft, setDraft] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  if (session.token) {
    return (
      <div className="sign-in">
        <span data-testid="signed-in-as">{fill(t.signedInAs, { role: session.holder?.role ?? '?' })}</span>
        <button type="button" onClick={session.signOut}>
          {t.signOut}
        </button>
      </div>
    );
  }
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const token = draft.trim();
    if (!holderOf(token)) {
      setProblem(t.notAToken);
      return;
    }
    setProblem(null);
    setDraft('');
    session.signIn(token);
  };
  return (
    <form className="sign-in" onSubmit={submit}>
      <label>
        <span>{t.token}</span>
        <input type="password" autoComplete="off" value={draft} onChange={(event) => setDraft(event.target.value)} title={t.tokenHelp} />
      </label>
      <button type="submit">{t.signIn}</button>
      {problem && (
        <span className="sign-in-problem" role="alert">
          {problem}
        </span>
      )}
    </form>
  );
}
