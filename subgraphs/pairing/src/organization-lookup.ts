import { provinceDivisions, type ProvenanceKind } from '@hub/common';
import type { Peers } from '@hub/server';
import type { Province } from './db/schema.ts';

/** An organization as its province's subgraph holds it: its kind of record and, in Jiangsu, its city. */
export interface OrganizationFacts {
  id: string;
  provenance: { kind: ProvenanceKind };
  city?: { code: string } | null;
}

const ORGANIZATIONS: Record<Province, string> = {
  SHAANXI: /* GraphQL */ `
    query ShaanxiOrganizations($representations: [_Any!]!) {
      _entities(representations: $representations) { ... on ShaanxiOrganization { id provenance { kind } } }
    }
  `,
  JIANGSU: /* GraphQL */ `
    query JiangsuOrganizations($representations: [_Any!]!) {
      _entities(representations: $representations) { ... on JiangsuOrganization { id provenance { kind } city { code } } }
    }
  `,
};

/**
 * The organizations of one province, asked of its subgraph in one query; an id it does not
 * know is missing from the map.
 */
export async function organizationsOf(peers: Peers, province: Province, ids: readonly string[]): Promise<Map<string, OrganizationFacts>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const typename = province === 'SHAANXI' ? 'ShaanxiOrganization' : 'JiangsuOrganization';
  const data = await peers.query<{ _entities: (OrganizationFacts | null)[] }>(province === 'SHAANXI' ? 'shaanxi' : 'jiangsu', ORGANIZATIONS[province], {
    representations: unique.map((id) => ({ __typename: typename, id })),
  });
  return new Map(data._entities.filter((entity): entity is OrganizationFacts => entity !== null).map((entity) => [entity.id, entity]));
}

export const isDemo = (kind: ProvenanceKind | null | undefined) => kind === 'SYNTHETIC_DEMO';

interface KnownDivisions {
  /** Prefecture-level cities of Shaanxi and Jiangsu: code → Chinese name. */
  cities: Map<string, string>;
  shaanxiPrefectures: Set<string>;
  shaanxiCounties: Set<string>;
}

let known: KnownDivisions | null = null;

/**
 * The division codes of the pinned package, read on the first request that needs them and
 * kept for the life of the process (they change only with the package).
 */
export function knownDivisions(): KnownDivisions {
  if (known) return known;
  const shaanxi = provinceDivisions('61');
  const jiangsu = provinceDivisions('32');
  known = {
    cities: new Map([...shaanxi.cities, ...jiangsu.cities].map((city) => [city.code, city.nameZh])),
    shaanxiPrefectures: new Set(shaanxi.cities.map((city) => city.code)),
    shaanxiCounties: new Set(shaanxi.counties.map((county) => county.code)),
  };
  return known;
}
