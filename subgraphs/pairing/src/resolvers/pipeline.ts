import {
  cleanOptionalText,
  decodeTimeCursor,
  encodeTimeCursor,
  ErrorCode,
  isUuid,
  notFound,
  pageArgs,
  provenanceOf,
  requireRole,
  userError,
  versionConflict,
  type ProjectField,
} from '@hub/common';
import type { Stage } from '../db/schema.ts';
import type { PairingContext } from '../loaders.ts';
import { publishNeed } from '../need-publication.ts';
import { allowedMove, iatiActivityStatus } from '../pipeline.ts';
import type { NeedSnapshot, PipelineFilter, StageEventRow } from '../store/pipeline-store.ts';
import { organizationReference } from './references.ts';

interface MoveProjectInput {
  projectId: string;
  to: Stage;
  expectedVersion: number;
  note?: string | null;
  organizationId?: string | null;
  ceremonyId?: string | null;
}

/** Where a project stands; a project the pipeline has not seen is a PROPOSED need. */
async function positionOf(id: string, { loaders }: PairingContext) {
  const row = await loaders.pipeline.load(id.toLowerCase());
  return { stage: (row?.stage ?? 'PROPOSED') as Stage, version: row?.version ?? 0, row };
}

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
  actor: (event: StageEventRow, _: unknown, { identity }: PairingContext) =>
    identity.role === 'SHAANXI_OFFICE' || identity.role === 'JIANGSU_OFFICE' ? event.actorSubject : null,
  organization: (event: StageEventRow) =>
    event.organizationId ? organizationReference(event.organizationId, 'JIANGSU') : null,
  ceremony: (event: StageEventRow, _: unknown, { loaders }: PairingContext) =>
    event.ceremonyId ? loaders.ceremony.load(event.ceremonyId) : null,
  provenance: provenanceOf,
};

const NEED_QUERY = /* GraphQL */ `
  query Need($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on Project { id field county { code prefecture { code } } raisedBy { id } }
    }
  }
`;

const ORGANIZATION_QUERY = /* GraphQL */ `
  query Organization($representations: [_Any!]!) {
    _entities(representations: $representations) { ... on JiangsuOrganization { id } }
  }
`;

interface NeedEntity {
  id: string;
  field: ProjectField;
  county: { code: string; prefecture: { code: string } };
  raisedBy: { id: string } | null;
}

/** The need as Shaanxi has it now; the pipeline keeps a copy for its filters. */
async function needSnapshot(context: PairingContext, projectId: string): Promise<NeedSnapshot> {
  const data = await context.peers.query<{ _entities: (NeedEntity | null)[] }>('shaanxi', NEED_QUERY, {
    representations: [{ __typename: 'Project', id: projectId }],
  });
  const need = data._entities[0];
  if (!need) throw notFound('project', 'id', projectId);
  return {
    countyCode: need.county.code,
    prefectureCode: need.county.prefecture.code,
    field: need.field,
    raisedByOrganizationId: need.raisedBy?.id ?? null,
  };
}

async function requireJiangsuOrganization(context: PairingContext, id: string): Promise<void> {
  const data = await context.peers.query<{ _entities: ({ id: string } | null)[] }>('jiangsu', ORGANIZATION_QUERY, {
    representations: [{ __typename: 'JiangsuOrganization', id }],
  });
  if (!data._entities[0]) {
    throw userError(ErrorCode.NotFound, `input.organizationId: no Jiangsu organization has id ${JSON.stringify(id)}.`, {
      field: 'input.organizationId',
    });
  }
}

export const pipelineMutations = {
  async moveProject(_: unknown, { input }: { input: MoveProjectInput }, context: PairingContext) {
    const { identity, loaders } = context;
    requireRole(identity, ['SHAANXI_OFFICE', 'JIANGSU_OFFICE'], 'move projects through the pipeline');
    const projectId = input.projectId.toLowerCase();
    if (!isUuid(projectId)) throw notFound('project', 'id', input.projectId);
    const note = cleanOptionalText(input.note, { field: 'input.note', max: 1000, multiline: true }) ?? null;

    const current = await positionOf(projectId, context);
    if (current.version !== input.expectedVersion) {
      throw versionConflict('project', input.expectedVersion, current.version);
    }
    const history = await loaders.history.load(projectId);
    const resumeTo = current.stage === 'SUSPENDED' ? (history.at(-1)?.fromStage ?? null) : null;
    const check = allowedMove(current.stage, input.to, identity.role, resumeTo);
    if (check.type === 'illegal') {
      throw userError(
        ErrorCode.IllegalStageChange,
        `A project cannot move from ${check.from} to ${check.to}; from ${check.from} it can move to ${check.allowed.join(', ') || 'nothing'}.`,
        { from: check.from, to: check.to, allowed: check.allowed },
      );
    }
    if (check.type === 'forbidden') {
      throw userError(ErrorCode.Forbidden, `The ${identity.role} role may not move a project from ${current.stage} to ${input.to}.`, {
        role: identity.role,
        allowedRoles: check.roles,
      });
    }

    let organizationId: string | null = null;
    let ceremonyId: string | null = null;
    if (input.to === 'MATCHED') {
      if (!input.organizationId) throw missing('input.organizationId', 'matching a project names the Jiangsu organization');
      await requireJiangsuOrganization(context, input.organizationId);
      organizationId = input.organizationId;
    }
    if (input.to === 'SCHEDULED') {
      if (!input.ceremonyId) throw missing('input.ceremonyId', 'scheduling a project names the ceremony');
      const ceremony = await loaders.ceremony.load(input.ceremonyId);
      if (!ceremony) throw notFound('ceremony', 'id', input.ceremonyId);
      ceremonyId = ceremony.id;
    }

    const snapshot = await needSnapshot(context, projectId);
    // Shaanxi keeps the drafts; told before the move is written, so its refusal moves nothing.
    if (input.to === 'PUBLISHED') await publishNeed(context.peers, projectId);
    const result = await context.pipeline.applyTransition({
      projectId,
      expectedVersion: input.expectedVersion,
      from: current.stage,
      to: input.to,
      snapshot,
      actorRole: identity.role,
      actorSubject: identity.subject,
      note,
      organizationId,
      ceremonyId,
    });
    if (result.type === 'version-conflict') {
      loaders.pipeline.clear(projectId);
      throw versionConflict('project', input.expectedVersion, (await positionOf(projectId, context)).version);
    }
    loaders.pipeline.clear(projectId).prime(projectId, result.pipeline);
    loaders.history.clear(projectId);
    loaders.ceremonyByProject.clear(projectId);
    return { id: projectId };
  },
};

function missing(field: string, why: string) {
  return userError(ErrorCode.BadUserInput, `${field} is required: ${why}.`, { field });
}

interface PageInput {
  filter?: PipelineFilter | null;
  first?: number | null;
  after?: string | null;
}

/** The funnel key carries its stage and filter, so the province subgraphs' money fields can be joined on it. */
function funnelKey(stage: Stage, filter: PipelineFilter): string {
  return Buffer.from(JSON.stringify({ stage, filter }), 'utf8').toString('base64url');
}

export const pipelineQueries = {
  async pipeline(_: unknown, args: PageInput, { pipeline }: PairingContext) {
    const { first, after } = pageArgs(args);
    const filter = args.filter ?? {};
    const cursor = after === null ? null : decodeTimeCursor(after);
    const [rows, totalCount] = await Promise.all([pipeline.page(filter, first, cursor), pipeline.count(filter)]);
    const nodes = rows.slice(0, first);
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
    const byStage = new Map(stages.map((row) => [row.stage, row.projectIds]));
    const order: Stage[] = ['PUBLISHED', 'MATCHED', 'SCHEDULED', 'SIGNED', 'IMPLEMENTING', 'COMPLETED', 'EVALUATED', 'SUSPENDED', 'CANCELLED'];
    return order.map((stage) => {
      const ids = byStage.get(stage) ?? [];
      return { key: funnelKey(stage, filter ?? {}), stage, projectCount: ids.length, projects: ids.map((id) => ({ id })) };
    });
  },
};

export const FunnelStage = {
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
