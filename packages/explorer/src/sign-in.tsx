import { useState, type FormEvent } from 'react';
import { holderOf, keepToken, storedToken } from './session-token.ts';

/**
 * Signs in with a token made by `npm run token` (README, "Getting a token"). The hub checks the
 * token on every request; this box only keeps it for the tab and says whose it is.
 */
export function SignIn() {
  const [token, setToken] = useState(storedToken);
  const [draft, setDraft] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const holder = token === null ? null : holderOf(token);

  const signIn = (event: FormEvent) => {
    event.preventDefault();
    const candidate = draft.trim().replace(/^bearer\s+/i, '');
    if (!holderOf(candidate)) {
      setProblem('Not a token: paste the output of `npm run token -- --role …`.');
      return;
    }
    keepToken(candidate);
    setToken(candidate);
    setDraft('');
    setProblem(null);
  };
  const signOut = () => {
    keepToken(null);
    setToken(null);
  };

  if (holder) {
    return (
      <div className="sign-in" aria-live="polite">
        <span className="signed-in-as" data-testid="signed-in-as">
          Signed in as <strong>{holder.role}</strong>
          {holder.organization ? ` of ${holder.organization}` : ''}
          {holder.subject ? ` (${holder.subject})` : ''}
        </span>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </div>
    );
  }
  return (
    <form className="sign-in" onSubmit={signIn}>
      <label htmlFor="token">Token</label>
      <input
        id="token"
        name="token"
        type="password"
        autoComplete="off"
        placeholder="from npm run token"
        value={draft}
        onChange={(event) => setDraft(event.target.value)}
      />
      <button type="submit">Sign in</button>
      {problem ? (
        <span className="sign-in-problem" role="alert">
          {problem}
        </span>
      ) : (
        <span className="sign-in-hint">Reading needs no token; changes do.</span>
      )}
    </form>
  );
}
