import { moneyFromFen, notFound, projectIdListOf, provenanceOf, type FunnelStageReference, type MoneyInput } from '@hub/common';
import { recordMoney } from '@hub/server';
import type { FundingKind } from '../db/schema.ts';
import type { JiangsuContext } from '../loaders.ts';
import type { FundingAccountRow, FundingEntryRow } from '../store/funding-store.ts';

export interface FundingEntryInput {
  projectId: string;
  organizationId: string;
  amount: MoneyInput;
  idempotencyKey: string;
  note?: string | null;
}

/** Records one entry of an organization's giving under the ledger rules (recordMoney). */
async function record(kind: FundingKind, input: FundingEntryInput, context: JiangsuContext): Promise<FundingEntryRow> {
  const { organizationId } = input;
  const entry = await recordMoney(context, {
    kind,
    input,
    organizationId,
    details: () => ({ organizationId }),
    book: {
      entryByKey: (key) => context.funding.entryByKey(organizationId, key),
      async ownSide() {
        const organization = await context.loaders.organization.load(organizationId);
        if (!organization) throw notFound('Jiangsu organization', 'id', organizationId);
        return organization.provenanceKind;
      },
      record: (checked) => context.funding.record({ ...checked, kind, organizationId }),
    },
  });
  context.loaders.accountsByProject.clear(entry.projectId);
  context.loaders.totalsByProject.clear(entry.projectId);
  context.loaders.entriesByProject.clear(entry.projectId);
  return entry;
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

const stageTotal = (column: Total) => async (stage: FunnelStageReference, _: unknown, { loaders }: JiangsuContext) =>
  moneyFromFen((await loaders.sumsByProjectSet.load(projectIdListOf(stage)))[column]);

export const FunnelStage = {
  __resolveReference: (reference: FunnelStageReference) => reference,
  pledged: stageTotal('pledgedFen'),
  committed: stageTotal('committedFen'),
  disbursed: stageTotal('disbursedFen'),
};
