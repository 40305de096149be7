import { ErrorCode, userError } from '@hub/common';
import { PeerUnavailableError, type Peers } from '@hub/server';

const INTERESTS_QUERY = /* GraphQL */ `
  query Interests($representations: [_Any!]!) {
    _entities(representations: $representations) { ... on Project { id interests { organization { id } } } }
  }
`;

type InterestEntities = { _entities: ({ interests: { organization: { id: string } }[] | null } | null)[] };

/**
 * The organization a move to MATCHED takes when it names none: the one with a standing
 * interest in the project (docs/decisions/0026-matching.md). Jiangsu, where interest lives,
 * shows the pairing's service identity every standing interest. With none, or several, the
 * move is refused with BAD_USER_INPUT on `input.organizationId`, listing them in
 * `extensions.interestedOrganizationIds`; Jiangsu out of reach is SUBGRAPH_UNAVAILABLE, as
 * every peer failure of a move is.
 */
export async function soleInterestedOrganization(peers: Peers, projectId: string): Promise<string> {
  const data = await peers.query<InterestEntities>('jiangsu', INTERESTS_QUERY, {
    representations: [{ __typename: 'Project', id: projectId }],
  });
  const interests = data._entities[0]?.interests;
  if (!interests) {
    throw new PeerUnavailableError('The jiangsu subgraph did not say which organizations are interested in the project; the project was not moved.', {
      subgraph: 'jiangsu',
    });
  }
  const ids = [...new Set(interests.map((interest) => interest.organization.id))].sort();
  if (ids.length === 1) return ids[0]!;
  throw userError(
    ErrorCode.BadUserInput,
    ids.length === 0
      ? 'input.organizationId is required: no Jiangsu organization has a standing interest in the project, so there is none to match it with.'
      : `input.organizationId is required: ${ids.length} Jiangsu organizations have a standing interest in the project (${ids.join(', ')}); name the one it is matched with.`,
    { field: 'input.organizationId', interestedOrganizationIds: ids },
  );
}
