import { ErrorCode, userError, type ProvenanceKind } from '@hub/common';
import type { Peers } from './peers.ts';

const PROJECT_PROVENANCE = /* GraphQL */ `
  query ProjectProvenance($representations: [_Any!]!) {
    _entities(representations: $representations) { ... on Project { id publishedAt provenance { kind } } }
  }
`;

const ORGANIZATION_PROVENANCE = /* GraphQL */ `
  query OrganizationProvenance($representations: [_Any!]!) {
    _entities(representations: $representations) { ... on JiangsuOrganization { id provenance { kind } } }
  }
`;

type Entities = { _entities: ({ provenance?: { kind: ProvenanceKind }; publishedAt?: string | null } | null)[] };

/**
 * A project as the Shaanxi subgraph that owns it holds it, drafts included: what kind of
 * record it is and whether it is published; null when there is none.
 */
export async function projectRecord(peers: Peers, projectId: string): Promise<{ kind: ProvenanceKind; published: boolean } | null> {
  return (await projectRecords(peers, [projectId]))[0] ?? null;
}

/** Several projects as Shaanxi holds them, in one query, in the order asked; null for each it has none of. */
export async function projectRecords(
  peers: Peers,
  projectIds: readonly string[],
): Promise<({ kind: ProvenanceKind; published: boolean } | null)[]> {
  if (projectIds.length === 0) return [];
  const data = await peers.query<Entities>('shaanxi', PROJECT_PROVENANCE, {
    representations: projectIds.map((id) => ({ __typename: 'Project', id })),
  });
  return projectIds.map((_, index) => {
    const project = data._entities[index];
    return project?.provenance ? { kind: project.provenance.kind, published: Boolean(project.publishedAt) } : null;
  });
}

/** What kind of record a project is, asked of the Shaanxi subgraph that owns it; null when it has none. */
export async function projectProvenance(peers: Peers, projectId: string): Promise<ProvenanceKind | null> {
  return (await projectRecord(peers, projectId))?.kind ?? null;
}

/** What kind of record a Jiangsu organization is, asked of the Jiangsu subgraph; null when it has none. */
export async function jiangsuOrganizationProvenance(peers: Peers, organizationId: string): Promise<ProvenanceKind | null> {
  const data = await peers.query<Entities>('jiangsu', ORGANIZATION_PROVENANCE, {
    representations: [{ __typename: 'JiangsuOrganization', id: organizationId }],
  });
  return data._entities[0]?.provenance?.kind ?? null;
}

const isDemo = (kind: ProvenanceKind) => kind === 'SYNTHETIC_DEMO';

/**
 * Refuses money between synthetic demo data and real records (PROVENANCE_MISMATCH): a real
 * organization's books never hold a fictional project, and a fictional foundation never funds
 * a real one. Public-record and entered records are both real and may meet. `refused` says
 * what is not recorded between them (an interest is not money, but does not mix either).
 */
export function requireMatchingProvenance(
  organization: { id: string; kind: ProvenanceKind | null },
  project: { id: string; kind: ProvenanceKind | null },
  refused = 'money between them is not recorded',
): void {
  if (organization.kind === null || project.kind === null) return;
  if (isDemo(organization.kind) === isDemo(project.kind)) return;
  const [demo, real] = isDemo(project.kind) ? ['project', 'organization'] : ['organization', 'project'];
  throw userError(
    ErrorCode.ProvenanceMismatch,
    `The ${demo} is synthetic demo data and the ${real} is a real record; ${refused}.`,
    { organizationProvenance: organization.kind, projectProvenance: project.kind },
  );
}
