import type { Peers } from '@hub/server';

const PUBLISH_NEED = /* GraphQL */ `
  mutation PublishNeed($id: ID!) { markProjectNeedPublished(id: $id) { id } }
`;

const UNPUBLISH_NEED = /* GraphQL */ `
  mutation UnpublishNeed($id: ID!) { markProjectNeedUnpublished(id: $id) { id } }
`;

/**
 * Tells Shaanxi, which keeps the need and its lists, that the need is published. Asked
 * before the move is written, so that a refusal or an outage leaves the project unmoved.
 * See docs/decisions/0016-draft-needs.md.
 */
export async function publishNeed(peers: Peers, projectId: string): Promise<void> {
  await peers.query<{ markProjectNeedPublished: { id: string } | null }>('shaanxi', PUBLISH_NEED, { id: projectId });
}

/**
 * Makes the need a draft again after its move to PUBLISHED was not made. Shaanxi refuses
 * (ILLEGAL_STAGE_CHANGE) when the pipeline has published the project after all.
 */
export async function unpublishNeed(peers: Peers, projectId: string): Promise<void> {
  await peers.query<{ markProjectNeedUnpublished: { id: string } | null }>('shaanxi', UNPUBLISH_NEED, { id: projectId });
}
