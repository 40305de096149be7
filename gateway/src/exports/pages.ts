import type { PipelineFilterInput } from './filter.ts';
import type { GraphReader } from './graph-reader.ts';
import type { Page } from './records.ts';

/** A pipeline read page by page: the first page read, the rest to be read as the download streams. */
export interface PipelinePages<TNode> {
  first: Page<TNode>;
  /** Every page after the first, each read when the one before has been written. */
  rest(): AsyncGenerator<TNode[]>;
}

/**
 * Reads the first page of the pipeline under `filter` now, so that a refusal (a bad filter, a
 * part of the graph out of reach) is answered with its status before the download starts;
 * the later pages follow the graph's own cursor, one at a time, so that a download of any
 * size holds one page of projects at once.
 */
export async function openPipeline<TNode>(
  reader: GraphReader,
  document: string,
  filter: PipelineFilterInput,
  pageSize: number,
): Promise<PipelinePages<TNode>> {
  const read = async (after: string | null, streaming: boolean) =>
    (await reader.read<{ pipeline: Page<TNode> }>(document, { filter, first: pageSize, after }, { streaming })).pipeline;
  const first = await read(null, false);
  return {
    first,
    async *rest() {
      let pageInfo = first.pageInfo;
      while (pageInfo.hasNextPage && pageInfo.endCursor) {
        const page = await read(pageInfo.endCursor, true);
        pageInfo = page.pageInfo;
        yield page.nodes;
      }
    },
  };
}

/** Every page's projects, the first page's first. */
export async function* allPages<TNode>(pages: PipelinePages<TNode>): AsyncGenerator<TNode[]> {
  yield pages.first.nodes;
  yield* pages.rest();
}

/**
 * Reads pages until one gives an item (`select`): the items of the pages read so far, or null
 * when no page does. The pages left are read later, from the same iterator. The open-data
 * standards ask for at least one activity or grant in a file, so an empty one is never begun.
 */
export async function readUntilFirst<TNode, TItem>(pages: AsyncIterator<TNode[]>, select: (nodes: TNode[]) => TItem[]): Promise<TItem[] | null> {
  for (;;) {
    const next = await pages.next();
    if (next.done) return null;
    const items = select(next.value);
    if (items.length > 0) return items;
  }
}
