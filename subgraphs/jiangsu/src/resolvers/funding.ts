import {
  amountLimitExceeded,
  ErrorCode,
  idempotencyKeyReused,
  moneyFromFen,
  moneyRequestBasics,
  notFound,
  provenanceOf,
  replayOf,
  requestFingerprint,
  userError,
  type Identity,
  type MoneyInput,
  type ProvenanceKind,
} from '@hub/common';
import { projectProvenance, requireFundableStage, requireMatchingProvenance } from '@hub/server';
import type { FundingKind } from '../db/schema.ts';
import type { JiangsuContext } from '../loaders.ts';
import type { FundingAccountRow, FundingEntryRow } from '../store/funding-store.ts';

interface FundingEntryInput {
  projectId: string;
  organizationId: string;
  amount: MoneyInput;
  idempotencyKey: string;
  note?: string | null;
}

/**
 * Who may record each kind of money, and at which stages of the project. A member acts only
 * for its own organization. No stage admits money on a cancelled or suspended project.
 */
const RULES: Record<FundingKind, { officeMay: boolean; stages: readonly string[]; what: string }> = {
  PLEDGE: { officeMay: false, stages: ['PUBLISHED', 'MATCHED', 'SCHEDULED'], what: 'pledge' },
  COMMITMENT: { officeMay: true, stages: ['SIGNED', 'IMPLEMENTING'], what: 'commitment' },
  DISBURSEMENT: { officeMay: true, stages: ['SIGNED', 'IMPLEMENTING', 'COMPLETED'], what: 'disbursement' },
};

function authorize(identity: Identity, kind: FundingKind, organizationId: string): void {
  const rule = RULES[kind];
  const member = identity.role === 'FOUNDATION_MEMBER' && identity.organizationId === organizationId;
  const office = rule.officeMay && identity.role === 'JIANGSU_OFFICE';
  if (member || office) return;
  if (identity.role === 'PUBLIC') throw userError(ErrorCode.Unauthenticated, `Sign in to record a ${rule.what}.`);
  throw userError(
    ErrorCode.Forbidden,
    rule.officeMay
      ? `Only the Jiangsu office or members of ${organizationId} may record its ${rule.what}s.`
      : `Only members of ${organizationId} may record its ${rule.what}s.`,
    { role: identity.role },
  );
}

async function record(kind: FundingKind, input: FundingEntryInput, context: JiangsuContext): Promise<FundingEntryRow> {
  authorize(context.identity, kind, input.organizationId);
  const { projectId, amountFen, idempotencyKey, note } = moneyRequestBasics(input);
  const fingerprint = requestFingerprint({ kind, projectId, organizationId: input.organizationId, amountFen: String(amountFen), note });

  // A retry of an entry already recorded returns it, whatever the project's stage is now.
  const earlier = replayOf(await context.funding.entryByKey(idempotencyKey), fingerprint);
  if (earlier) return earlier;
  const organization = await context.loaders.organization.load(input.organizationId);
  if (!organization) throw notFound('Jiangsu organization', 'id', input.organizationId);
  await requireFundableStage(context.peers, projectId, RULES[kind].what, RULES[kind].stages);
  requireMatchingProvenance(
    { id: organization.id, kind: organization.provenanceKind as ProvenanceKind },
    { id: projectId, kind: await projectProvenance(context.peers, projectId) },
  );

  const result = await context.funding.record({
    projectId,
    organizationId: input.organizationId,
    kind,
    amountFen,
    note,
    idempotencyKey,
    requestFingerprint: fingerprint,
    recordedByRole: context.identity.role,
    recordedBySubject: context.identity.subject,
  });
  switch (result.type) {
    case 'recorded':
      context.loaders.accountsByProject.clear(projectId);
      context.loaders.totalsByProject.clear(projectId);
      context.loaders.entriesByProject.clear(projectId);
      return result.entry;
    case 'key-reused':
      throw idempotencyKeyReused();
    case 'over-limit':
      throw amountLimitExceeded(result.limit, 'input.amount.fen', RULES[kind].what);
    case 'over-disbursement': {
      const committed = result.account?.committedFen ?? 0n;
      const disbursed = result.account?.disbursedFen ?? 0n;
      throw userError(
        ErrorCode.OverDisbursement,
        `${input.organizationId} has committed ${moneyFromFen(committed)!.yuan} yuan to this project and disbursed ${moneyFromFen(disbursed)!.yuan}; ${moneyFromFen(amountFen)!.yuan} more would exceed the commitment.`,
        { committedFen: Number(committed), disbursedFen: Number(disbursed), amountFen: Number(amountFen) },
      );
    }
  }
}

export const fundingMutations = {
  recordPledge: (_: unknown, { input }: { input: FundingEntryInput }, context: JiangsuContext) => record('PLEDGE', input, context),
  recordCommitment: (_: unknown, { input }: { input: FundingEntryInput }, context: JiangsuContext) =>
    record('COMMITMENT', input, context),
  recordDisbursement: (_: unknown, { input }: { input: FundingEntryInput }, context: JiangsuContext) =>
    record('DISBURSEMENT', input, context),
};

export const FundingEntry = {
  project: (entry: FundingEntryRow) => ({ id: entry.projectId }),
  organization: (entry: FundingEntryRow, _: unknown, { loaders }: JiangsuContext) => loaders.organization.load(entry.organizationId),
  amount: (entry: FundingEntryRow) => moneyFromFen(entry.amountFen),
  provenance: provenanceOf,
};

export const FundingShare = {
  organization: (account: FundingAccountRow, _: unknown, { loaders }: JiangsuContext) =>
    loaders.organization.load(account.organizationId),
  pledged: (account: FundingAccountRow) => moneyFromFen(account.pledgedFen),
  committed: (account: FundingAccountRow) => moneyFromFen(account.committedFen),
  disbursed: (account: FundingAccountRow) => moneyFromFen(account.disbursedFen),
};

type Total = 'pledgedFen' | 'committedFen' | 'disbursedFen';

/** A project's total across organizations, kept by the database beside the accounts. */
async function projectTotalFen(id: string, column: Total, { loaders }: JiangsuContext): Promise<bigint> {
  return (await loaders.totalsByProject.load(id.toLowerCase()))?.[column] ?? 0n;
}

const projectTotal = (column: Total) => async ({ id }: { id: string }, _: unknown, context: JiangsuContext) =>
  moneyFromFen(await projectTotalFen(id, column, context));

export const Project = {
  __resolveReference: (reference: { id: string; amountSought?: { fen: number } | null }) => reference,
  pledged: projectTotal('pledgedFen'),
  committed: projectTotal('committedFen'),
  disbursed: projectTotal('disbursedFen'),
  funding: ({ id }: { id: string }, _: unknown, { loaders }: JiangsuContext) => loaders.accountsByProject.load(id.toLowerCase()),
  async disbursedByOrganization({ id }: { id: string }, _: unknown, { loaders }: JiangsuContext) {
    const accounts = await loaders.accountsByProject.load(id.toLowerCase());
    return accounts.map((account) => ({ organizationId: account.organizationId, amount: moneyFromFen(account.disbursedFen) }));
  },
  fundingEntries: ({ id }: { id: string }, _: unknown, { loaders }: JiangsuContext) =>
    loaders.entriesByProject.load(id.toLowerCase()),
  async fundingGap(project: { id: string; amountSought?: { fen: number } | null }, _: unknown, context: JiangsuContext) {
    if (!project.amountSought) return null;
    const committed = await projectTotalFen(project.id, 'committedFen', context);
    const gap = BigInt(project.amountSought.fen) - committed;
    return moneyFromFen(gap > 0n ? gap : 0n);
  },
};

const stageTotal = (column: Total) => async (stage: { projects: { id: string }[] }, _: unknown, { loaders }: JiangsuContext) =>
  moneyFromFen((await loaders.sumsByProjectSet.load(stage.projects.map((project) => project.id.toLowerCase())))[column]);

export const FunnelStage = {
  __resolveReference: (reference: { key: string; projects: { id: string }[] }) => reference,
  pledged: stageTotal('pledgedFen'),
  committed: stageTotal('committedFen'),
  disbursed: stageTotal('disbursedFen'),
};
