import { ErrorCode, notFound, requireRole, userError } from '@hub/common';
import type { ShaanxiContext } from '../loaders.ts';

/** The pairing subgraph's service identity: the one caller that publishes needs. */
const PAIRING_SERVICE = 'subgraph:pairing';

export const publicationMutations = {
  /**
   * Publishing is a pipeline move, decided in the pairing subgraph; the need and its lists
   * live here, so the pairing asks this before it commits the move (see
   * docs/decisions/ on draft needs). Repeating it changes nothing.
   */
  async markProjectNeedPublished(_: unknown, { id }: { id: string }, context: ShaanxiContext) {
    requireRole(context.identity, ['SERVICE'], 'publish needs outside the pipeline');
    if (context.identity.subject !== PAIRING_SERVICE) {
      throw userError(ErrorCode.Forbidden, 'Only the pairing subgraph publishes needs, as it moves them to PUBLISHED.');
    }
    const row = await context.store.markNeedPublished(id.toLowerCase());
    if (!row) throw notFound('project', 'id', id);
    context.loaders.project.clear(row.id).prime(row.id, row);
    return row;
  },
};
