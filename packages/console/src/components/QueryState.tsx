import type { ReactNode } from 'react';
import type { UseQueryResult } from '@tanstack/react-query';
import type { GraphError } from '../graph.ts';
import { useMessages } from '../i18n.tsx';
import { common } from '../messages.ts';

/** Loading, error (its `extensions.code` and message) or the data, for one query. */
export function QueryState<TData>({ query, children }: { query: UseQueryResult<TData, GraphError>; children: (data: TData) => ReactNode }) {
  const t = useMessages(common);
  if (query.isPending) {
    return (
      <p className="state state-loading" role="status">
        {t.loading}
      </p>
    );
  }
  if (query.isError) {
    return (
      <div className="state state-error" role="alert">
        <h2>{t.errorTitle}</h2>
        <p>
          <code className="error-code">{query.error.code}</code> {query.error.message}
        </p>
        <button type="button" onClick={() => void query.refetch()}>
          {t.retry}
        </button>
      </div>
    );
  }
  // New variables (a filter, a page) load while the previous answer stays on screen: it says so.
  if (query.isPlaceholderData) {
    return (
      <div className="state-updating" aria-busy="true">
        <p className="state state-loading" role="status">
          {t.loading}
        </p>
        {children(query.data)}
      </div>
    );
  }
  return <>{children(query.data)}</>;
}
