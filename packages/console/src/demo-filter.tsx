import { createContext, useContext, useMemo, useState, type ReactNode } from 'react';
import { ProvenanceKind } from './gql/graphql.ts';

/**
 * "Show demo records": on by default; off, synthetic demo records are hidden everywhere. Pages
 * pass `provenance` to the graph's lists that take it (the graph leaves them out), and hide with
 * `visible` what they get otherwise (a record the page asked for by its id, say). Remembered in
 * localStorage.
 */
const KEY = 'su-shaan-hub.console.show-demo';

/** The kinds to ask for when demo records are hidden: everything but synthetic demo data. */
const WITHOUT_DEMO = Object.values(ProvenanceKind).filter((kind) => kind !== ProvenanceKind.SyntheticDemo);

interface DemoFilter {
  showDemo: boolean;
  setShowDemo(show: boolean): void;
  /** The `provenance` argument of the graph's lists: null (every kind) or every kind but demo. */
  provenance: ProvenanceKind[] | null;
  /** Whether a record is shown. */
  visible(record: { provenance: { kind: ProvenanceKind } }): boolean;
}

const DemoFilterContext = createContext<DemoFilter | null>(null);

export function DemoFilterProvider({ children }: { children: ReactNode }) {
  const [showDemo, setShow] = useState(() => {
    try {
      return localStorage.getItem(KEY) !== 'false';
    } catch {
      return true;
    }
  });
  const filter = useMemo<DemoFilter>(
    () => ({
      showDemo,
      setShowDemo(show) {
        try {
          localStorage.setItem(KEY, String(show));
        } catch {
          // Kept for this visit only.
        }
        setShow(show);
      },
      provenance: showDemo ? null : WITHOUT_DEMO,
      visible: (record) => showDemo || record.provenance.kind !== ProvenanceKind.SyntheticDemo,
    }),
    [showDemo],
  );
  return <DemoFilterContext.Provider value={filter}>{children}</DemoFilterContext.Provider>;
}

export function useDemoFilter(): DemoFilter {
  const filter = useContext(DemoFilterContext);
  if (!filter) throw new Error('useDemoFilter outside DemoFilterProvider');
  return filter;
}
