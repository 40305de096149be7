import { useMessages } from '../i18n.tsx';
import { provenanceNames } from '../messages.ts';
import type { ProvenanceKind } from '../gql/graphql.ts';

export interface ProvenanceOf {
  kind: ProvenanceKind;
  detail?: string | null;
  source?: { title: string } | null;
}

/**
 * Where a record comes from, shown beside every record: a public record (its source in the
 * title), synthetic demo data (never a fact: marked so it cannot be taken for one), or entered
 * in the hub. Ask for `provenance { kind detail source { title } }` with each record.
 */
export function ProvenanceBadge({ provenance }: { provenance: ProvenanceOf }) {
  const names = useMessages(provenanceNames);
  const where = [provenance.source?.title, provenance.detail].filter(Boolean).join(' · ');
  return (
    <span className={`badge badge-${provenance.kind.toLowerCase().replace('_', '-')}`} data-provenance={provenance.kind} title={where || undefined}>
      {names[provenance.kind]}
    </span>
  );
}
