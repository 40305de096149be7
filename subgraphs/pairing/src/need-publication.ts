import type { Peers } from '@hub/server';

const PUBLISH_NEED = /* GraphQL */ `
  mutation PublishNeed($id: ID!) { markProjectNeedPublished(id: $id) { id } }
`;

/**
 * Tells Shaanxi, which keeps the need and its lists, that the need is published. Asked
 * before the move is written, so that a refusal or an outage leaves the project unmoved; the
 * one thing a failure after it can leave is a need its owner asked to publish being visible
 * before the pipeline says so, which the retried move repairs. See
 * docs/decisions/0016-draft-needs.md.
 */
export async function publishNeed(peers: Peers, projectId: string): Promise<void> {
  await peers.query<{ markProjectNeedPublished: { id: string } | null }>('shaanxi', PUBLISH_NEED, { id: projectId });
}
