import {
  amountLimitExceeded,
  cleanText,
  ErrorCode,
  idempotencyKeyReused,
  isStorableKey,
  moneyFromFen,
  moneyRequestBasics,
  notFound,
  provenanceOf,
  replayOf,
  requestFingerprint,
  requireRole,
  userError,
  type MoneyInput,
  type ProvenanceKind,
} from '@hub/common';
import { jiangsuOrganizationProvenance, requireFundableStage, requireMatchingProvenance } from '@hub/server';
import type { FundsKind } from '../db/schema.ts';
import type { ShaanxiContext } from '../loaders.ts';
import type { FundsEntryRow, FundsSums } from '../store/funds-store.ts';

interface FundsInput {
  projectId: string;
  amount: MoneyInput;
  idempotencyKey: string;
  note?: string | null;
  fromOrganizationId?: string | null;
  purpose?: string;
}

/** Money is recorded only for a signed project that is not cancelled or suspended. */
const FUNDED_STAGES = ['SIGNED', 'IMPLEMENTING', 'COMPLETED'] as const;
const WHAT: Record<FundsKind, string> = { RECEIPT: 'receipt', EXPENDITURE: 'expenditure' };

async function record(kind: FundsKind, input: FundsInput, context: ShaanxiContext): Promise<FundsEntryRow> {
  requireRole(context.identity, ['SHAANXI_OFFICE'], `record a ${WHAT[kind]}`);
  const { projectId, amountFen, idempotencyKey, note } = moneyRequestBasics(input);
  const purpose = kind === 'EXPENDITURE' ? cleanText(input.purpose ?? '', { field: 'input.purpose', max: 500 }) : null;
  const fromOrganizationId = input.fromOrganizationId ?? null;
  if (fromOrganizationId !== null && !isStorableKey(fromOrganizationId)) {
    throw userError(ErrorCode.BadUserInput, 'input.fromOrganizationId is not an organization id.', { field: 'input.fromOrganizationId' });
  }
  const fingerprint = requestFingerprint({ kind, projectId, amountFen: String(amountFen), fromOrganizationId, purpose, note });

  // A retry of an entry already recorded returns it, whatever the project's stage is now.
  const earlier = replayOf(await context.funds.entryByKey(idempotencyKey), fingerprint);
  if (earlier) return earlier;
  const project = await context.loaders.project.load(projectId);
  if (!project) throw notFound('project', 'id', input.projectId);
  await requireFundableStage(context.peers, projectId, WHAT[kind], FUNDED_STAGES);
  if (fromOrganizationId !== null) {
    requireMatchingProvenance(
      { id: fromOrganizationId, kind: await jiangsuOrganizationProvenance(context.peers, fromOrganizationId) },
      { id: projectId, kind: project.provenanceKind as ProvenanceKind },
    );
  }

  const result = await context.funds.record({
    projectId,
    kind,
    amountFen,
    fromOrganizationId,
    purpose,
    note,
    idempotencyKey,
    requestFingerprint: fingerprint,
    recordedByRole: context.identity.role,
    recordedBySubject: context.identity.subject,
  });
  switch (result.type) {
    case 'recorded':
      context.loaders.account.clear(projectId);
      context.loaders.fundsEntries.clear(projectId);
      return result.entry;
    case 'key-reused':
      throw idempotencyKeyReused();
    case 'over-limit':
      throw amountLimitExceeded(result.limit, 'input.amount.fen', WHAT[kind]);
    case 'over-spending': {
      const received = result.account?.receivedFen ?? 0n;
      const spent = result.account?.spentFen ?? 0n;
      throw userError(
        ErrorCode.OverSpending,
        `The project has received ${moneyFromFen(received)!.yuan} yuan and spent ${moneyFromFen(spent)!.yuan}; ${moneyFromFen(amountFen)!.yuan} more would exceed what it received.`,
        { receivedFen: Number(received), spentFen: Number(spent), amountFen: Number(amountFen) },
      );
    }
  }
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

interface OrganizationMoney {
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
  async (stage: { projects: { id: string }[] }, _: unknown, { loaders }: ShaanxiContext) =>
    moneyFromFen((await loaders.sumsByProjectSet.load(projectIds(stage)))[column]);

const projectIds = (stage: { projects: { id: string }[] }) => stage.projects.map(({ id }) => id.toLowerCase());

export const FunnelStage = {
  __resolveReference: (reference: { key: string; projects: { id: string }[] }) => reference,
  amountSought: async (stage: { projects: { id: string }[] }, _: unknown, { loaders }: ShaanxiContext) =>
    moneyFromFen(await loaders.amountSoughtByProjectSet.load(projectIds(stage))),
  received: stageSum('receivedFen'),
  spent: stageSum('spentFen'),
};
