import {
  cleanText,
  ErrorCode,
  isStorableKey,
  moneyFromFen,
  notFound,
  projectIdListOf,
  provenanceOf,
  userError,
  type FunnelStageReference,
  type MoneyInput,
} from '@hub/common';
import { recordMoney } from '@hub/server';
import type { FundsKind } from '../db/schema.ts';
import type { ShaanxiContext } from '../loaders.ts';
import type { FundsEntryRow, FundsSums } from '../store/funds-store.ts';

export interface FundsInput {
  projectId: string;
  amount: MoneyInput;
  idempotencyKey: string;
  note?: string | null;
  fromOrganizationId?: string | null;
  purpose?: string;
}

/** Records money received for a project or spent on it under the ledger rules (recordMoney). */
async function record(kind: FundsKind, input: FundsInput, context: ShaanxiContext): Promise<FundsEntryRow> {
  const fromOrganizationId = input.fromOrganizationId ?? null;
  let purpose: string | null = null;
  const entry = await recordMoney(context, {
    kind,
    input,
    organizationId: fromOrganizationId,
    details() {
      if (kind === 'EXPENDITURE') purpose = cleanText(input.purpose ?? '', { field: 'input.purpose', max: 500 });
      if (fromOrganizationId !== null && !isStorableKey(fromOrganizationId)) {
        throw userError(ErrorCode.BadUserInput, 'input.fromOrganizationId is not an organization id.', { field: 'input.fromOrganizationId' });
      }
      return { fromOrganizationId, purpose };
    },
    book: {
      entryByKey: (key) => context.funds.entryByKey(key),
      async ownSide(projectId) {
        const project = await context.loaders.project.load(projectId);
        if (!project) throw notFound('project', 'id', input.projectId);
        return project.provenanceKind;
      },
      record: (checked) => context.funds.record({ ...checked, kind, fromOrganizationId, purpose }),
    },
  });
  context.loaders.account.clear(entry.projectId);
  context.loaders.fundsEntries.clear(entry.projectId);
  return entry;
}

export const fundsMutations = {
  recordReceipt: (_: unknown, { input }: { input: FundsInput }, context: ShaanxiContext) => record('RECEIPT', input, context),
  recordExpenditure: (_: unknown, { input }: { input: FundsInput }, context: ShaanxiContext) =>
    record('EXPENDITURE', input, context),
};

export const FundsEntry = {
  project: (entry: FundsEntryRow, _: unknown, { loaders }: ShaanxiContext) => loaders.project.load(entry.projectId),
  amount: (entry: FundsEntryRow) => moneyFromFen(entry.amountFen),
  fromOrganization: (entry: FundsEntryRow) => (entry.fromOrganizationId ? { id: entry.fromOrganizationId } : null),
  provenance: provenanceOf,
};

export interface OrganizationMoney {
  organizationId: string;
  amount: { fen: number };
}

/** Jiangsu's disbursements (from the representation) against Shaanxi's receipts, per organization. */
async function reconcile(
  project: { id: string; disbursedByOrganization?: OrganizationMoney[] },
  { loaders }: ShaanxiContext,
) {
  const entries = await loaders.fundsEntries.load(project.id.toLowerCase());
  const lines = new Map<string | null, { disbursed: bigint; received: bigint }>();
  const line = (id: string | null) => {
    let found = lines.get(id);
    if (!found) lines.set(id, (found = { disbursed: 0n, received: 0n }));
    return found;
  };
  for (const share of project.disbursedByOrganization ?? []) line(share.organizationId).disbursed += BigInt(share.amount.fen);
  for (const entry of entries) if (entry.kind === 'RECEIPT') line(entry.fromOrganizationId).received += entry.amountFen;

  const byOrganization = [...lines.entries()]
    .filter(([, amounts]) => amounts.disbursed !== 0n || amounts.received !== 0n)
    .sort(([a], [b]) => (a ?? '~').localeCompare(b ?? '~'))
    .map(([organizationId, amounts]) => ({
      organization: organizationId ? { id: organizationId } : null,
      disbursed: moneyFromFen(amounts.disbursed),
      received: moneyFromFen(amounts.received),
      difference: moneyFromFen(amounts.disbursed - amounts.received),
      balanced: amounts.disbursed === amounts.received,
    }));
  const disbursed = [...lines.values()].reduce((total, amounts) => total + amounts.disbursed, 0n);
  const received = [...lines.values()].reduce((total, amounts) => total + amounts.received, 0n);
  return {
    disbursedByJiangsu: moneyFromFen(disbursed),
    receivedInShaanxi: moneyFromFen(received),
    difference: moneyFromFen(disbursed - received),
    balanced: byOrganization.every((entry) => entry.balanced),
    byOrganization,
  };
}

export const projectFundsFields = {
  received: async (project: { id: string }, _: unknown, { loaders }: ShaanxiContext) =>
    moneyFromFen((await loaders.account.load(project.id.toLowerCase()))?.receivedFen ?? 0n),
  spent: async (project: { id: string }, _: unknown, { loaders }: ShaanxiContext) =>
    moneyFromFen((await loaders.account.load(project.id.toLowerCase()))?.spentFen ?? 0n),
  fundsEntries: (project: { id: string }, _: unknown, { loaders }: ShaanxiContext) =>
    loaders.fundsEntries.load(project.id.toLowerCase()),
  reconciliation: (project: { id: string; disbursedByOrganization?: OrganizationMoney[] }, _: unknown, context: ShaanxiContext) =>
    reconcile(project, context),
};

/** Money of the projects standing at one funnel stage: every stage of a request in one statement. */
const stageSum =
  (column: keyof FundsSums) =>
  async (stage: FunnelStageReference, _: unknown, { loaders }: ShaanxiContext) =>
    moneyFromFen((await loaders.sumsByProjectSet.load(projectIdListOf(stage)))[column]);

export const FunnelStage = {
  __resolveReference: (reference: FunnelStageReference) => reference,
  amountSought: async (stage: FunnelStageReference, _: unknown, { loaders }: ShaanxiContext) =>
    moneyFromFen(await loaders.amountSoughtByProjectSet.load(projectIdListOf(stage))),
  received: stageSum('receivedFen'),
  spent: stageSum('spentFen'),
};
