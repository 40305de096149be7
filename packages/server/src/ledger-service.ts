import {
  amountLimitExceeded,
  ErrorCode,
  idempotencyKeyReused,
  moneyFromFen,
  moneyRequestBasics,
  notFound,
  replayOf,
  requestFingerprint,
  requireRole,
  seesDrafts,
  stageRefusesMoney,
  userError,
  type Identity,
  type MoneyInput,
  type ProvenanceKind,
  type Role,
} from '@hub/common';
import type { OverLimit, RecordOnce } from '@hub/db';
import type { Peers } from './peers.ts';
import { jiangsuOrganizationProvenance, projectRecord, requireMatchingProvenance } from './provenance-match.ts';
import { projectStage } from './stage-lookup.ts';

/** The money flows of both provinces' books, named after IATI transaction types. */
export type MoneyKind = 'PLEDGE' | 'COMMITMENT' | 'DISBURSEMENT' | 'RECEIPT' | 'EXPENDITURE';

interface MoneyRule {
  what: string;
  /** Whose books keep it: Jiangsu's (the giving organization's own) or Shaanxi's (the project's). */
  book: 'jiangsu' | 'shaanxi';
  /** The stages at which the project admits it; none admits money on a cancelled or suspended project. */
  stages: readonly string[];
  /** The office that may record it for any organization, if one may. */
  office: Role | null;
  /** Whether a member of the giving organization may record it for that organization. */
  memberMay: boolean;
}

const ONCE_SIGNED = ['SIGNED', 'IMPLEMENTING', 'COMPLETED'];

/** Who may record each kind of money, and at which stages of the project. */
const MONEY_RULES: Record<MoneyKind, MoneyRule> = {
  PLEDGE: { what: 'pledge', book: 'jiangsu', stages: ['PUBLISHED', 'MATCHED', 'SCHEDULED'], office: null, memberMay: true },
  COMMITMENT: { what: 'commitment', book: 'jiangsu', stages: ['SIGNED', 'IMPLEMENTING'], office: 'JIANGSU_OFFICE', memberMay: true },
  DISBURSEMENT: { what: 'disbursement', book: 'jiangsu', stages: ONCE_SIGNED, office: 'JIANGSU_OFFICE', memberMay: true },
  RECEIPT: { what: 'receipt', book: 'shaanxi', stages: ONCE_SIGNED, office: 'SHAANXI_OFFICE', memberMay: false },
  EXPENDITURE: { what: 'expenditure', book: 'shaanxi', stages: ONCE_SIGNED, office: 'SHAANXI_OFFICE', memberMay: false },
};

/** What a province's store answers when asked to record an entry. */
export type LedgerOutcome<Entry> =
  | RecordOnce<Entry>
  | OverLimit
  | { type: 'over-disbursement'; account: { committedFen: bigint; disbursedFen: bigint } | null }
  | { type: 'over-spending'; account: { receivedFen: bigint; spentFen: bigint } | null };

/** An entry as the rules have checked it, for the book to add its own columns to and record. */
export interface CheckedEntry {
  projectId: string;
  amountFen: bigint;
  note: string | null;
  idempotencyKey: string;
  requestFingerprint: string;
  recordedByRole: Role;
  recordedBySubject: string | null;
}

/** One province's books, as the ledger rules need them. */
export interface LedgerBook<Entry> {
  /** The entry recorded under the key among the records whose keys it shares (docs/decisions/0020). */
  entryByKey(idempotencyKey: string): Promise<Entry | null>;
  /**
   * The provenance of the side this province holds: the organization in Jiangsu, the project
   * in Shaanxi. Refuses (NOT_FOUND) when there is no such record.
   */
  ownSide(projectId: string): Promise<ProvenanceKind>;
  record(entry: CheckedEntry): Promise<LedgerOutcome<Entry>>;
}

export interface MoneyRequest<Entry> {
  kind: MoneyKind;
  input: { projectId: string; amount: MoneyInput; idempotencyKey: string; note?: string | null };
  /** The Jiangsu organization the money is from; null when a receipt does not say. */
  organizationId: string | null;
  /**
   * The entry's other fields, checked after the caller is known to be allowed; they are part of
   * what a retry must repeat.
   */
  details(): Record<string, string | null>;
  book: LedgerBook<Entry>;
}

/**
 * The ledger rules both provinces' books share: who may record which kind of money, at which
 * stage of the project, once per idempotency key (a retry returns the entry recorded, whatever
 * the stage is now), never between synthetic demo data and real records, and within the money
 * limits. Each refusal has a stable code and writes nothing.
 */
export async function recordMoney<Entry extends { requestFingerprint: string }>(
  context: { identity: Identity; peers: Peers },
  request: MoneyRequest<Entry>,
): Promise<Entry> {
  const rule = MONEY_RULES[request.kind];
  authorize(context.identity, rule, request.organizationId);
  const { projectId, amountFen, idempotencyKey, note } = moneyRequestBasics(request.input);
  const fingerprint = requestFingerprint({ kind: request.kind, projectId, amountFen: String(amountFen), note, ...request.details() });

  const earlier = replayOf(await request.book.entryByKey(idempotencyKey), fingerprint);
  if (earlier) return earlier;
  const own = await request.book.ownSide(projectId);
  // The stage is the pairing's and the other side's provenance the other province's: neither
  // answer depends on the other, so both are asked at once.
  const [stage, { kind: other, projectHidden }] = await Promise.all([
    projectStage(context.peers, projectId),
    otherSide(context.peers, rule, projectId, request.organizationId),
  ]);
  // A draft is the Shaanxi office's alone (docs/decisions/0016): to anyone else it gets the
  // answer an unknown project gets, not the stage that refuses money.
  if (projectHidden && !seesDrafts(context.identity)) throw notFound('project', 'id', projectId);
  if (!rule.stages.includes(stage)) throw stageRefusesMoney(rule.what, stage, rule.stages);
  if (request.organizationId !== null) {
    const [organization, project] = rule.book === 'jiangsu' ? [own, other] : [other, own];
    requireMatchingProvenance({ id: request.organizationId, kind: organization }, { id: projectId, kind: project });
  }

  const outcome = await request.book.record({
    projectId,
    amountFen,
    note,
    idempotencyKey,
    requestFingerprint: fingerprint,
    recordedByRole: context.identity.role,
    recordedBySubject: context.identity.subject,
  });
  return entryOrRefusal(outcome, rule, amountFen, request.organizationId);
}

function authorize(identity: Identity, rule: MoneyRule, organizationId: string | null): void {
  if (!rule.memberMay) return requireRole(identity, rule.office ? [rule.office] : [], `record a ${rule.what}`);
  const member = identity.role === 'FOUNDATION_MEMBER' && identity.organizationId === organizationId;
  if (member || (rule.office !== null && identity.role === rule.office)) return;
  if (identity.role === 'PUBLIC') throw userError(ErrorCode.Unauthenticated, `Sign in to record a ${rule.what}.`);
  throw userError(
    ErrorCode.Forbidden,
    rule.office
      ? `Only the Jiangsu office or members of ${organizationId} may record its ${rule.what}s.`
      : `Only members of ${organizationId} may record its ${rule.what}s.`,
    { role: identity.role },
  );
}

/**
 * The provenance of the side the other province holds (null when there is none to compare),
 * and, when that side is the project, whether it is missing or a draft.
 */
async function otherSide(peers: Peers, rule: MoneyRule, projectId: string, organizationId: string | null) {
  if (rule.book === 'jiangsu') {
    const project = await projectRecord(peers, projectId);
    return { kind: project?.kind ?? null, projectHidden: !project?.published };
  }
  const kind = organizationId === null ? null : await jiangsuOrganizationProvenance(peers, organizationId);
  // The Shaanxi book found the project itself (ownSide).
  return { kind, projectHidden: false };
}

function entryOrRefusal<Entry>(outcome: LedgerOutcome<Entry>, rule: MoneyRule, amountFen: bigint, organizationId: string | null): Entry {
  const yuan = (fen: bigint) => moneyFromFen(fen)!.yuan;
  switch (outcome.type) {
    case 'recorded':
      return outcome.entry;
    case 'key-reused':
      throw idempotencyKeyReused();
    case 'over-limit':
      throw amountLimitExceeded(outcome.limit, 'input.amount.fen', rule.what);
    case 'over-disbursement': {
      const committed = outcome.account?.committedFen ?? 0n;
      const disbursed = outcome.account?.disbursedFen ?? 0n;
      throw userError(
        ErrorCode.OverDisbursement,
        `${organizationId} has committed ${yuan(committed)} yuan to this project and disbursed ${yuan(disbursed)}; ${yuan(amountFen)} more would exceed the commitment.`,
        { committedFen: Number(committed), disbursedFen: Number(disbursed), amountFen: Number(amountFen) },
      );
    }
    case 'over-spending': {
      const received = outcome.account?.receivedFen ?? 0n;
      const spent = outcome.account?.spentFen ?? 0n;
      throw userError(
        ErrorCode.OverSpending,
        `The project has received ${yuan(received)} yuan and spent ${yuan(spent)}; ${yuan(amountFen)} more would exceed what it received.`,
        { receivedFen: Number(received), spentFen: Number(spent), amountFen: Number(amountFen) },
      );
    }
  }
}
