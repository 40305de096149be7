import {
  cleanOptionalText,
  ErrorCode,
  isUuid,
  notFound,
  requireRole,
  seesDrafts,
  userError,
  versionConflict,
  type ProjectField,
  type ProvenanceKind,
} from '@hub/common';
import { logLine, PeerUnavailableError, requireMatchingProvenance } from '@hub/server';
import type { Stage } from './db/schema.ts';
import type { PairingContext } from './loaders.ts';
import { soleInterestedOrganization } from './interest-offer.ts';
import { publishNeed, unpublishNeed } from './need-publication.ts';
import { allowedMove } from './pipeline.ts';
import type { Transition } from './store/pipeline-store.ts';

export interface MoveProjectInput {
  projectId: string;
  to: Stage;
  expectedVersion: number;
  note?: string | null;
  organizationId?: string | null;
  ceremonyId?: string | null;
  focus?: number | null;
}

type PipelineContext = Pick<PairingContext, 'identity' | 'loaders' | 'pipeline' | 'peers'>;

/** Where a project stands; a project the pipeline has not seen is a PROPOSED need. */
export async function positionOf(id: string, { loaders }: Pick<PairingContext, 'loaders'>) {
  const row = await loaders.pipeline.load(id.toLowerCase());
  return { stage: (row?.stage ?? 'PROPOSED') as Stage, version: row?.version ?? 0, row };
}

const NEED_QUERY = /* GraphQL */ `
  query Need($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on Project { id field publishedAt county { code prefecture { code } } raisedBy { id } provenance { kind } }
    }
  }
`;

const ORGANIZATION_QUERY = /* GraphQL */ `
  query Organization($representations: [_Any!]!) {
    _entities(representations: $representations) { ... on JiangsuOrganization { id provenance { kind } } }
  }
`;

interface NeedEntity {
  id: string;
  field: ProjectField;
  publishedAt: string | null;
  county: { code: string; prefecture: { code: string } };
  raisedBy: { id: string } | null;
  provenance: { kind: ProvenanceKind };
}

/**
 * The rules of moving a project through the pipeline: who may, from which stage to which, at
 * which version, and, for PUBLISHED, Shaanxi's mark on the need kept in step with the move
 * (docs/decisions/0016-draft-needs.md).
 */
export class PipelineService {
  constructor(private readonly context: PipelineContext) {}

  async moveProject(input: MoveProjectInput): Promise<{ id: string }> {
    const { identity, loaders } = this.context;
    requireRole(identity, ['SHAANXI_OFFICE', 'JIANGSU_OFFICE'], 'move projects through the pipeline');
    const projectId = input.projectId.toLowerCase();
    if (!isUuid(projectId)) throw notFound('project', 'id', input.projectId);
    const note = cleanOptionalText(input.note, { field: 'input.note', max: 1000, multiline: true }) ?? null;

    const [current, history, need] = await Promise.all([
      positionOf(projectId, this.context),
      loaders.history.load(projectId),
      this.needOf(projectId),
    ]);
    // A draft is the Shaanxi office's alone: to anyone else it does not exist, so it gets the
    // answer an unknown id gets, before anything (its version, its stage) is told or written.
    // It is a draft while the pipeline has not published it or Shaanxi does not show it: a
    // caller only moves what it can read, so the answer can show what was moved.
    const draft = !need?.publishedAt || !history.some((event) => event.toStage === 'PUBLISHED');
    if (!need || (draft && !seesDrafts(identity))) throw notFound('project', 'id', input.projectId);
    if (current.version !== input.expectedVersion) {
      throw versionConflict('project', input.expectedVersion, current.version);
    }
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
      if (input.organizationId) {
        await this.requireJiangsuOrganization(input.organizationId, { id: projectId, kind: need.provenance.kind });
        organizationId = input.organizationId;
      } else {
        // Named by none, the match is offered to the one organization that said it is interested.
        organizationId = await soleInterestedOrganization(this.context.peers, projectId);
      }
    }
    let focusPosition: number | null = null;
    if (input.to === 'SCHEDULED') {
      // A suspended project resumes to the batch it left, serving the focus it served.
      const resumed = current.stage === 'SUSPENDED' ? await loaders.ceremonyByProject.load(projectId) : null;
      if (resumed && input.ceremonyId && input.ceremonyId !== resumed.id) {
        throw userError(
          ErrorCode.BadUserInput,
          `input.ceremonyId: a suspended project resumes to the batch it left, of ceremony ${resumed.id}.`,
          { field: 'input.ceremonyId', ceremonyId: resumed.id },
        );
      }
      const wanted = input.ceremonyId ?? resumed?.id;
      if (!wanted) throw missing('input.ceremonyId', 'scheduling a project names the ceremony');
      const ceremony = await loaders.ceremony.load(wanted);
      if (!ceremony) throw notFound('ceremony', 'id', wanted);
      ceremonyId = ceremony.id;
      if (input.focus !== null && input.focus !== undefined) focusPosition = await this.requireFocus(ceremony.agreementId, input.focus);
      else if (resumed) focusPosition = current.row?.focusPosition ?? null;
    } else if (input.focus !== null && input.focus !== undefined) {
      throw userError(ErrorCode.BadUserInput, `input.focus names the focus a project serves when it is scheduled; this move is to ${input.to}.`, {
        field: 'input.focus',
      });
    }

    const move: Transition = {
      projectId,
      expectedVersion: input.expectedVersion,
      from: current.stage,
      to: input.to,
      snapshot: {
        countyCode: need.county.code,
        prefectureCode: need.county.prefecture.code,
        field: need.field,
        raisedByOrganizationId: need.raisedBy?.id ?? null,
      },
      actorRole: identity.role,
      actorSubject: identity.subject,
      note,
      organizationId,
      ceremonyId,
      focusPosition,
    };
    const result = input.to === 'PUBLISHED' ? await this.publish(move) : await this.context.pipeline.applyTransition(move);
    if (result.type === 'version-conflict') {
      loaders.pipeline.clear(projectId);
      throw versionConflict('project', input.expectedVersion, (await positionOf(projectId, this.context)).version);
    }
    if (result.type === 'in-package') {
      throw userError(
        ErrorCode.ProjectInPackage,
        `The project is in the standing package of ceremony ${result.ceremonyId}: it is signed by signing that package, which records its commitment too.`,
        { ceremonyId: result.ceremonyId },
      );
    }
    if (result.type === 'ceremony-signed') {
      throw userError(
        ErrorCode.CeremonyAlreadySigned,
        `The package of ceremony ${result.ceremonyId} is signed or being signed: no project joins its batch now. Schedule it for another ceremony.`,
        { ceremonyId: result.ceremonyId, field: 'input.ceremonyId' },
      );
    }
    if (result.type === 'being-signed') {
      throw userError(
        ErrorCode.ProjectBeingSigned,
        `The project is held by a ceremony package being signed (${result.packageId}); only that signing moves it, to SIGNED. Move it once the signing is done.`,
        { packageId: result.packageId },
      );
    }
    loaders.pipeline.clear(projectId).prime(projectId, result.pipeline);
    loaders.history.clear(projectId);
    loaders.ceremonyByProject.clear(projectId);
    return { id: projectId };
  }

  /**
   * Shaanxi keeps the drafts, so it marks the need published before the move is written: its
   * refusal moves nothing. The two are not one transaction (in the all-in-one topology both
   * share one PGlite, which would wait for itself), so a move that is not made after the mark
   * (another move won, the write failed) takes the mark back.
   */
  private async publish(move: Transition) {
    try {
      await publishNeed(this.context.peers, move.projectId);
    } catch (error) {
      // Sent, but no answer came: Shaanxi may have marked the need before it stopped answering.
      if (error instanceof PeerUnavailableError && !error.answered && error.delivered) {
        if (!(await this.withdrawMark(move.projectId))) {
          throw new PeerUnavailableError(
            'The shaanxi subgraph stopped answering: the project was not moved, but its need may already be shown as published. Look before sending the move again.',
            { subgraph: 'shaanxi', changeMade: 'UNKNOWN' },
          );
        }
      }
      throw error;
    }
    try {
      const result = await this.context.pipeline.applyTransition(move);
      if (result.type !== 'moved') await this.withdrawMark(move.projectId);
      return result;
    } catch (error) {
      await this.withdrawMark(move.projectId);
      throw error;
    }
  }

  /**
   * Makes the need a draft again unless the pipeline has published the project (another
   * publishing move won, or this one committed before it failed). True when Shaanxi's mark and
   * the pipeline agree afterwards; false when that could not be made so, which is logged with
   * the project for the operators.
   */
  private async withdrawMark(projectId: string): Promise<boolean> {
    try {
      const events = await this.context.pipeline.eventsByProjects([projectId]);
      if (events.some((event) => event.toStage === 'PUBLISHED')) return true;
      await unpublishNeed(this.context.peers, projectId);
      return true;
    } catch (error) {
      // Shaanxi's own look found the project published: the mark stands rightly.
      if ((error as { extensions?: { code?: unknown } }).extensions?.code === ErrorCode.IllegalStageChange) return true;
      logLine('error', 'a need may be shown as published while the pipeline has not published it', {
        projectId,
        cause: error instanceof Error ? error.message : String(error),
      });
      return false;
    }
  }

  /**
   * The need as Shaanxi has it now, drafts included (asked under the pairing's service
   * identity); null when there is none. The pipeline keeps a copy for its filters.
   */
  private async needOf(projectId: string): Promise<NeedEntity | null> {
    const data = await this.context.peers.query<{ _entities: (NeedEntity | null)[] }>('shaanxi', NEED_QUERY, {
      representations: [{ __typename: 'Project', id: projectId }],
    });
    return data._entities[0] ?? null;
  }

  /** A focus of the ceremony's agreement, by its position; BAD_USER_INPUT on `input.focus` otherwise. */
  private async requireFocus(agreementId: string, position: number): Promise<number> {
    const focuses = await this.context.loaders.focusesByAgreement.load(agreementId);
    if (!focuses.some((focus) => focus.position === position)) {
      throw userError(
        ErrorCode.BadUserInput,
        `input.focus must be the position of one of the focuses of the ceremony's agreement (${focuses.map((focus) => focus.position).join(', ') || 'it has none'}); got ${position}.`,
        { field: 'input.focus' },
      );
    }
    return position;
  }

  /** The organization a project is matched with: one that exists, and of the project's kind of record (0014). */
  private async requireJiangsuOrganization(id: string, project: { id: string; kind: ProvenanceKind }): Promise<void> {
    const data = await this.context.peers.query<{ _entities: ({ id: string; provenance: { kind: ProvenanceKind } } | null)[] }>(
      'jiangsu',
      ORGANIZATION_QUERY,
      { representations: [{ __typename: 'JiangsuOrganization', id }] },
    );
    const organization = data._entities[0];
    if (!organization) {
      throw userError(ErrorCode.NotFound, `input.organizationId: no Jiangsu organization has id ${JSON.stringify(id)}.`, {
        field: 'input.organizationId',
      });
    }
    requireMatchingProvenance({ id, kind: organization.provenance.kind }, project, 'they are not matched');
  }
}

function missing(field: string, why: string) {
  return userError(ErrorCode.BadUserInput, `${field} is required: ${why}.`, { field });
}
