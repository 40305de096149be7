import type { Peers } from './peers.ts';

const STAGE_QUERY = /* GraphQL */ `
  query Stages($representations: [_Any!]!) {
    _entities(representations: $representations) { ... on Project { id stage } }
  }
`;

/**
 * A project's current stage, asked of the pairing subgraph that owns it. Money rules in the
 * province subgraphs depend on it (no money on a cancelled project); see
 * docs/decisions/0009-rules-across-subgraphs.md for what this does and does not guarantee.
 */
export async function projectStage(peers: Peers, projectId: string): Promise<string> {
  const data = await peers.query<{ _entities: ({ id: string; stage: string } | null)[] }>('pairing', STAGE_QUERY, {
    representations: [{ __typename: 'Project', id: projectId }],
  });
  return data._entities[0]?.stage ?? 'PROPOSED';
}
