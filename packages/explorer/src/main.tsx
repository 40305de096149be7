import 'graphiql/style.css';
import './explorer.css';
import { GraphiQL, type GraphiQLProps } from 'graphiql';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import examples from 'virtual:readme-examples';
import { withOwnOperationName } from './operation-name.ts';
import { storedToken } from './session-token.ts';
import { SignIn } from './sign-in.tsx';

/**
 * Runs operations against the hub that served this page (same origin, so the page's
 * `connect-src 'self'` allows it), as JSON POSTs: Apollo's CSRF prevention lets those through.
 * The signed-in token goes with each one, over any Authorization typed in the headers editor.
 */
const fetcher: GraphiQLProps['fetcher'] = async (asked, options) => {
  const params = withOwnOperationName(asked);
  const token = storedToken();
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: {
      accept: 'application/graphql-response+json, application/json',
      ...options?.headers,
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(params),
  });
  return response.json();
};

function Explorer() {
  return (
    <div className="explorer">
      <header className="explorer-bar">
        <h1>
          苏陕 pairing hub <span>GraphQL explorer</span>
        </h1>
        {/* The console, the hub's pages for the offices and foundations, served at /. */}
        <a className="explorer-console-link" href="/">
          Console
        </a>
        <SignIn />
      </header>
      <main className="explorer-graphiql">
        <GraphiQL fetcher={fetcher} defaultTabs={examples} defaultEditorToolsVisibility={true} isHeadersEditorEnabled={true}>
          <GraphiQL.Logo>Su–Shaan</GraphiQL.Logo>
        </GraphiQL>
      </main>
    </div>
  );
}

createRoot(document.getElementById('explorer')!).render(
  <StrictMode>
    <Explorer />
  </StrictMode>,
);
