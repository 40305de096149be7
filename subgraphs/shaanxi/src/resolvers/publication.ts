import { ErrorCode, notFound, requirePairingService, userError } from '@hub/common';
import type { Peers } from '@hub/server';
import type { ShaanxiContext } from '../loaders.ts';

const PUBLISHED_HISTORY = /* GraphQL */ `
  query PublishedHistory($representations: [_Any!]!) {
    _entities(representations: $representations) { ... on Project { id history { to } } }
  }
`;

/** Whether the pipeline, which owns the stages, has ever moved the project to PUBLISHED. */
async function publishedInPipeline(peers: Peers, projectId: string): Promise<boolean> {
  const data = await peers.query<{ _entities: ({ history: { to: string }[] } | null)[] }>('pairing', PUBLISHED_HISTORY, {
    representations: [{ __typename: 'Project', id: projectId }],
  });
  return (data._entities[0]?.history ?? []).some((event) => event.to === 'PUBLISHED');
}

export const publicationMutations = {
  /**
   * Publishing is a pipeline move, decided in the pairing subgraph; the need and its lists
   * live here, so the pairing asks this before it commits the move (see
   * docs/decisions/0016-draft-needs.md). Repeating it changes nothing.
   */
  async markProjectNeedPublished(_: unknown, { id }: { id: string }, context: ShaanxiContext) {
    requirePairingService(context.identity, 'publish needs');
    const row = await context.store.markNeedPublished(id.toLowerCase());
    if (!row) throw notFound('project', 'id', id);
    context.loaders.project.clear(row.id).prime(row.id, row);
    context.loaders.projectWithAccount.clear(row.id);
    return row;
  },

  /**
   * The pairing's undoing of a mark whose move lost to another. Shaanxi does not know the
   * stage, so it asks the pairing and refuses once a PUBLISHED stage event exists: a need the
   * pipeline published stays public, whatever happened to it since.
   */
  async markProjectNeedUnpublished(_: unknown, { id }: { id: string }, context: ShaanxiContext) {
    requirePairingService(context.identity, 'make needs drafts again');
    const projectId = id.toLowerCase();
    if (await publishedInPipeline(context.peers, projectId)) {
      throw userError(ErrorCode.IllegalStageChange, 'The pipeline has published this need; it stays published.', {
        projectId,
      });
    }
    const row = await context.store.clearNeedPublished(projectId);
    if (!row) throw notFound('project', 'id', id);
    context.loaders.project.clear(row.id).prime(row.id, row);
    context.loaders.projectWithAccount.clear(row.id);
    return row;
  },
};
