import sources from './sources.json' with { type: 'json' };

/** Where a record comes from. Seed facts, synthetic demo data and records entered in the hub are never mixed up. */
export type ProvenanceKind = 'PUBLIC_RECORD' | 'SYNTHETIC_DEMO' | 'ENTERED';

export interface Source {
  id: string;
  title: string;
  publisher: string;
  file: string;
}

export interface Provenance {
  kind: ProvenanceKind;
  source: Source | null;
  detail: string | null;
}

const sourcesById = new Map<string, Source>(sources.map((source) => [source.id, source]));

export function sourceById(id: string): Source {
  const source = sourcesById.get(id);
  if (!source) throw new Error(`unknown source "${id}"; add it to packages/common/src/sources.json`);
  return source;
}

/** Columns every provenance-carrying table has, as stored. */
export interface ProvenanceColumns {
  provenanceKind: ProvenanceKind;
  sourceId: string | null;
  sourceDetail: string | null;
}

export function provenanceOf(row: ProvenanceColumns): Provenance {
  return {
    kind: row.provenanceKind,
    source: row.sourceId ? sourceById(row.sourceId) : null,
    detail: row.sourceDetail,
  };
}

/**
 * The kind of a record a caller makes under another (a target under an agreement, an entry
 * between demo records, a stage event of a project): demo under demo data, so that a real view
 * never shows it, and ENTERED otherwise, as every record made through the hub.
 */
export function kindOfNewRecord(underKind: ProvenanceKind): 'SYNTHETIC_DEMO' | 'ENTERED' {
  return underKind === 'SYNTHETIC_DEMO' ? 'SYNTHETIC_DEMO' : 'ENTERED';
}
