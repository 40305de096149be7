import { decodeTimeCursor, encodeTimeCursor, pageArgs, provenanceOf, seesWhoActed } from '@hub/common';
import type { Stage } from '../db/schema.ts';
import type { PairingContext } from '../loaders.ts';
import { iatiActivityStatus } from '../pipeline.ts';
import { PipelineService, positionOf, type MoveProjectInput } from '../pipeline-service.ts';
import type { FunnelCount, PipelineFilter, StageEventRow } from '../store/pipeline-store.ts';
import { organizationReference } from './references.ts';

export const projectPipelineFields = {
  stage: async ({ id }: { id: string }, _: unknown, context: PairingContext) => (await positionOf(id, context)).stage,
  pipelineVersion: async ({ id }: { id: string }, _: unknown, context: PairingContext) =>
    (await positionOf(id, context)).version,
  iatiActivityStatus: async ({ id }: { id: string }, _: unknown, context: PairingContext) =>
    iatiActivityStatus((await positionOf(id, context)).stage),
  history: ({ id }: { id: string }, _: unknown, { loaders }: PairingContext) => loaders.history.load(id.toLowerCase()),
  matchedOrganization: async ({ id }: { id: string }, _: unknown, context: PairingContext) => {
    const { row } = await positionOf(id, context);
    return row?.matchedOrganizationId ? organizationReference(row.matchedOrganizationId, 'JIANGSU') : null;
  },
};

export const StageEvent = {
  from: (event: StageEventRow) => event.fromStage,
  to: (event: StageEventRow) => event.toStage,
  at: (event: StageEventRow) => event.occurredAt,
  // A token's subject names a person; the public and foundations see only the role that acted.
  actor: (event: StageEventRow, _: unknown, { identity }: PairingContext) => (seesWhoActed(identity) ? event.actorSubject : null),
  organization: (event: StageEventRow) =>
    event.organizationId ? organizationReference(event.organizationId, 'JIANGSU') : null,
  ceremony: (event: StageEventRow, _: unknown, { loaders }: PairingContext) =>
    event.ceremonyId ? loaders.ceremony.load(event.ceremonyId) : null,
  provenance: provenanceOf,
};

export const pipelineMutations = {
  moveProject: (_: unknown, { input }: { input: MoveProjectInput }, context: PairingContext) =>
    new PipelineService(context).moveProject(input),
};

export interface PageInput {
  filter?: PipelineFilter | null;
  first?: number | null;
  after?: string | null;
}

/** The funnel key carries its stage and filter, so the province subgraphs' money fields can be joined on it. */
function funnelKey(stage: Stage, filter: PipelineFilter): string {
  return Buffer.from(JSON.stringify({ stage, filter }), 'utf8').toString('base64url');
}

export const pipelineQueries = {
  async pipeline(_: unknown, args: PageInput, { pipeline, loaders }: PairingContext) {
    const { first, after } = pageArgs(args);
    const filter = args.filter ?? {};
    const cursor = after === null ? null : decodeTimeCursor(after);
    const { rows, totalCount } = await pipeline.page(filter, first, cursor);
    const nodes = rows.slice(0, first);
    // The page's rows are the ones its projects' stages are read from: not read again by id.
    for (const row of nodes) loaders.pipeline.prime(row.projectId, row);
    const last = nodes.at(-1);
    return {
      nodes: nodes.map((row) => ({ id: row.projectId })),
      totalCount,
      pageInfo: {
        hasNextPage: rows.length > first,
        endCursor: last ? encodeTimeCursor({ at: last.enteredAt, id: last.projectId }) : null,
      },
    };
  },

  async funnel(_: unknown, { filter }: { filter?: PipelineFilter | null }, { pipeline }: PairingContext) {
    const stages = await pipeline.funnel(filter ?? {});
    const byStage = new Map(stages.map((row) => [row.stage, row]));
    const order: Stage[] = ['PUBLISHED', 'MATCHED', 'SCHEDULED', 'SIGNED', 'IMPLEMENTING', 'COMPLETED', 'EVALUATED', 'SUSPENDED', 'CANCELLED'];
    return order.map((stage): FunnelStageRow => {
      const row = byStage.get(stage);
      return { key: funnelKey(stage, filter ?? {}), stage, projectCount: row?.projectCount ?? 0, projectIdList: row?.projectIdList ?? '' };
    });
  },
};

/** A stage of the funnel under the filter its key names. */
export type FunnelStageRow = FunnelCount & { key: string };

export const FunnelStage = {
  /** The projects, made from their ids only when a caller asks for them. */
  projects: ({ projectIdList }: FunnelStageRow) => (projectIdList === '' ? [] : projectIdList.split(',').map((id) => ({ id }))),
  async __resolveReference({ key }: { key: string }, context: PairingContext) {
    let decoded: { stage: Stage; filter: PipelineFilter };
    try {
      decoded = JSON.parse(Buffer.from(key, 'base64url').toString('utf8'));
    } catch {
      return null;
    }
    const stages = await pipelineQueries.funnel(undefined, { filter: decoded.filter }, context);
    return stages.find((stage) => stage.stage === decoded.stage) ?? null;
  },
};
