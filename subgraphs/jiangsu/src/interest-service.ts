import {
  checkIdempotencyKey,
  cleanText,
  ErrorCode,
  idempotencyKeyReused,
  isUuid,
  kindOfNewRecord,
  notFound,
  OPEN_FOR_FUNDING_STAGES,
  positiveFen,
  replayOf,
  requestFingerprint,
  requireMemberOf,
  userError,
  type MoneyInput,
} from '@hub/common';
import { projectRecords, projectStage, requireMatchingProvenance } from '@hub/server';
import type { JiangsuContext } from './loaders.ts';
import { readsAnyPrivateRecords, readsPrivateRecordsOf } from './private-records.ts';
import type { ProjectInterestRow } from './store/interest-store.ts';

export interface ExpressInterestInput {
  projectId: string;
  organizationId: string;
  note: string;
  amountInMind?: MoneyInput | null;
  idempotencyKey: string;
}

/**
 * Records an organization's interest in a project open for funding (docs/decisions/0026): a
 * word to the offices, not money in the books. Members of that organization only; once per
 * idempotency key (a retry gets the interest made the first time, whatever changed since); one
 * standing interest per organization and project; never between demo data and a real record.
 * Every refusal has a stable code and writes nothing.
 */
export async function expressInterest(context: JiangsuContext, input: ExpressInterestInput): Promise<ProjectInterestRow> {
  const { identity, interests, loaders, peers } = context;
  const { organizationId } = input;
  requireMemberOf(identity, organizationId, `express interest for ${organizationId}`);
  const request = checkedRequest(input);
  const fingerprint = requestFingerprint({
    mutation: 'expressInterest',
    projectId: request.projectId,
    organizationId,
    note: request.note,
    amountInMindFen: request.amountInMindFen === null ? null : String(request.amountInMindFen),
  });

  const earlier = replayOf(await interests.interestByKey(organizationId, request.idempotencyKey), fingerprint);
  if (earlier) return earlier;

  // The organization is this subgraph's, the stage the pairing's, the need Shaanxi's: none of
  // the answers depends on another, so all are asked at once.
  const [organization, stage, [project]] = await Promise.all([
    loaders.organization.load(organizationId),
    projectStage(peers, request.projectId),
    projectRecords(peers, [request.projectId]),
  ]);
  if (!organization) throw notFound('Jiangsu organization', 'id', organizationId);
  // A draft is the Shaanxi office's alone (docs/decisions/0016): to a member it is unknown.
  if (!project?.published) throw notFound('project', 'id', input.projectId);
  if (!isOpenForFunding(stage)) {
    throw userError(
      ErrorCode.ProjectNotOpenForFunding,
      `Interest cannot be expressed while the project is ${stage}; it can be while the project is ${OPEN_FOR_FUNDING_STAGES.join(' or ')}.`,
      { stage, allowedStages: [...OPEN_FOR_FUNDING_STAGES] },
    );
  }
  requireMatchingProvenance(
    { id: organizationId, kind: organization.provenanceKind },
    { id: request.projectId, kind: project.kind },
    'an interest between them is not recorded',
  );

  const outcome = await interests.insert({
    projectId: request.projectId,
    organizationId,
    note: request.note,
    amountInMindFen: request.amountInMindFen,
    idempotencyKey: request.idempotencyKey,
    requestFingerprint: fingerprint,
    expressedByRole: identity.role,
    expressedBySubject: identity.subject,
    provenanceKind: kindOfNewRecord(organization.provenanceKind),
  });
  switch (outcome.type) {
    case 'expressed':
      forgetInterests(context, outcome.interest);
      return outcome.interest;
    case 'key-reused':
      throw idempotencyKeyReused();
    case 'already-expressed':
      throw userError(
        ErrorCode.InterestAlreadyExpressed,
        `${organizationId} already has a standing interest in this project; withdraw it to express another.`,
        { projectId: request.projectId, organizationId },
      );
  }
}

/** Withdraws an organization's standing interest in a project, keeping it as withdrawn. Members of that organization only. */
export async function withdrawInterest(context: JiangsuContext, projectId: string, organizationId: string): Promise<ProjectInterestRow> {
  requireMemberOf(context.identity, organizationId, `withdraw interest for ${organizationId}`);
  const outcome = await context.interests.withdraw(projectId.toLowerCase(), organizationId, context.identity.subject);
  if (outcome.type === 'not-standing') {
    throw userError(ErrorCode.NotFound, `${organizationId} has no standing interest in project ${JSON.stringify(projectId)}.`, {
      entity: 'project interest',
      lookup: { projectId, organizationId },
    });
  }
  forgetInterests(context, outcome.interest);
  return outcome.interest;
}

/**
 * A project's interests as the caller may read them: each one whose organization's private
 * records the caller reads (`readsPrivateRecordsOf`), so every one to the offices and the hub's
 * services, its own organization's to a member, none to the public. Withdrawn ones only when asked.
 */
export async function interestsOfProject(
  { identity, loaders }: JiangsuContext,
  projectId: string,
  includeWithdrawn: boolean,
): Promise<ProjectInterestRow[]> {
  if (!readsAnyPrivateRecords(identity)) return [];
  const rows = await loaders.interestsByProject.load(projectId.toLowerCase());
  return rows.filter((row) => readsPrivateRecordsOf(identity, row.organizationId) && (includeWithdrawn || row.withdrawnAt === null));
}

/** An organization's interests, to those who read its private records (`readsPrivateRecordsOf`); null to everyone else. */
export async function interestsOfOrganization(
  { identity, loaders }: JiangsuContext,
  organizationId: string,
  includeWithdrawn: boolean,
): Promise<ProjectInterestRow[] | null> {
  if (!readsPrivateRecordsOf(identity, organizationId)) return null;
  const rows = await loaders.interestsByOrganization.load(organizationId);
  return includeWithdrawn ? rows : rows.filter((row) => row.withdrawnAt === null);
}

function isOpenForFunding(stage: string): boolean {
  return (OPEN_FOR_FUNDING_STAGES as readonly string[]).includes(stage);
}

/** The request checked: an open project's id, a note, an amount more than zero if given, a key. */
function checkedRequest(input: ExpressInterestInput) {
  const projectId = input.projectId.toLowerCase();
  if (!isUuid(projectId)) throw notFound('project', 'id', input.projectId);
  const amount = input.amountInMind;
  return {
    projectId,
    note: cleanText(input.note, { field: 'input.note', max: 1000, multiline: true }),
    amountInMindFen: amount === null || amount === undefined ? null : positiveFen(amount, 'input.amountInMind'),
    idempotencyKey: checkIdempotencyKey(input.idempotencyKey),
  };
}

/** A write changed what the request's loaders hold of the project and the organization. */
function forgetInterests({ loaders }: JiangsuContext, interest: ProjectInterestRow): void {
  loaders.interestsByProject.clear(interest.projectId);
  loaders.interestsByOrganization.clear(interest.organizationId);
}
