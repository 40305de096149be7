import {
  kindOfNewRecord,
  amountSoughtFen,
  checkRange,
  cleanOptionalText,
  ErrorCode,
  formatYuan,
  MAX_PROJECT_TOTAL_FEN,
  notFound,
  requireRole,
  userError,
  versionConflict,
  type MoneyInput,
} from '@hub/common';
import type { PairingContext } from './loaders.ts';
import type { AgreementRow, CeremonyRow } from './store/pairing-store.ts';
import type { AgreementTargetRow, TargetMeasures } from './store/targets-store.ts';

export interface SetAgreementTargetInput {
  agreementId: string;
  year?: number | null;
  expectedVersion: number;
  projectsSigned?: number | null;
  committed?: MoneyInput | null;
  disbursed?: MoneyInput | null;
  countiesReached?: number | null;
  shaanxiOrganizations?: number | null;
  jiangsuOrganizations?: number | null;
  note?: string | null;
}

/** Shaanxi's county-level divisions: no target can reach more counties than there are. */
export const SHAANXI_COUNTY_COUNT = 107;

/** The largest count a target takes: GraphQL's Int. */
const MAX_COUNT = 2_147_483_647;

/**
 * The calendar years of an agreement's term: `termYears` years from the year it was signed,
 * or, where the record does not give the date (the 2017 agreement), from the year of its
 * first ceremony. Empty when neither is known.
 */
export function termYearList(agreement: Pick<AgreementRow, 'signedOn' | 'termYears'>, ceremonies: readonly Pick<CeremonyRow, 'heldOn'>[]): number[] {
  const start = termStart(agreement, ceremonies);
  if (!start) return [];
  const first = Number(start.slice(0, 4));
  return Array.from({ length: agreement.termYears }, (_, offset) => first + offset);
}

/** The day an agreement's term begins: its signing, else its first ceremony; null when neither is known. */
export function termStart(agreement: Pick<AgreementRow, 'signedOn'>, ceremonies: readonly Pick<CeremonyRow, 'heldOn'>[]): string | null {
  return agreement.signedOn ?? [...ceremonies].map((ceremony) => ceremony.heldOn).sort()[0] ?? null;
}

type TargetsContext = Pick<PairingContext, 'identity' | 'loaders' | 'targets'>;

/**
 * The rules of setting an agreement's targets: who may, for which period, which values, and at
 * which version. Every measure is replaced at each setting; the revision keeps what was set.
 */
export class TargetsService {
  constructor(private readonly context: TargetsContext) {}

  async setTarget(input: SetAgreementTargetInput): Promise<AgreementTargetRow> {
    const { identity, loaders } = this.context;
    requireRole(identity, ['SHAANXI_OFFICE', 'JIANGSU_OFFICE'], "set an agreement's targets");
    const agreement = await loaders.agreement.load(input.agreementId);
    if (!agreement) throw notFound('agreement', 'id', input.agreementId);
    const year = input.year ?? null;
    if (year !== null) {
      const term = termYearList(agreement, await loaders.ceremoniesByAgreement.load(agreement.id));
      if (!term.includes(year)) {
        throw userError(
          ErrorCode.BadUserInput,
          `input.year must be a year of the agreement's term (${term.join(', ') || 'none is known'}), or null for the whole term; got ${year}.`,
          { field: 'input.year', termYears: term },
        );
      }
    }
    if (!Number.isSafeInteger(input.expectedVersion) || input.expectedVersion < 0) {
      throw userError(ErrorCode.BadUserInput, `input.expectedVersion must be 0 or more; got ${input.expectedVersion}.`, {
        field: 'input.expectedVersion',
      });
    }
    const measures = checkedMeasures(input);

    const result = await this.context.targets.setTarget({
      agreementId: agreement.id,
      year,
      expectedVersion: input.expectedVersion,
      measures,
      setByRole: identity.role,
      setBySubject: identity.subject,
      provenanceKind: kindOfNewRecord(agreement.provenanceKind),
    });
    if (result.type === 'version-conflict') {
      throw versionConflict('targets', input.expectedVersion, result.currentVersion);
    }
    loaders.targetsByAgreement.clear(agreement.id);
    loaders.targetRevisions.clear(result.target.id);
    return result.target;
  }
}

/** Every measure checked; each refusal is a BAD_USER_INPUT naming its field, before anything is written. */
function checkedMeasures(input: SetAgreementTargetInput): TargetMeasures {
  const count = (value: number | null | undefined, field: string, max = MAX_COUNT) =>
    value === null || value === undefined ? null : checkRange(value, field, 0, max);
  return {
    projectsSigned: count(input.projectsSigned, 'input.projectsSigned'),
    committedFen: money(input.committed, 'input.committed'),
    disbursedFen: money(input.disbursed, 'input.disbursed'),
    countiesReached: count(input.countiesReached, 'input.countiesReached', SHAANXI_COUNTY_COUNT),
    shaanxiOrganizations: count(input.shaanxiOrganizations, 'input.shaanxiOrganizations'),
    jiangsuOrganizations: count(input.jiangsuOrganizations, 'input.jiangsuOrganizations'),
    note: cleanOptionalText(input.note, { field: 'input.note', max: 1000, multiline: true }) ?? null,
  };
}

/**
 * A money target: whole fen, zero or more, and no more than one project may carry (the limit
 * the table's check holds too); the whole 2017 pairing moved less than half of it.
 */
function money(amount: MoneyInput | null | undefined, field: string): bigint | null {
  if (amount === null || amount === undefined) return null;
  if (Number.isSafeInteger(amount.fen) && BigInt(amount.fen) > MAX_PROJECT_TOTAL_FEN) {
    throw userError(
      ErrorCode.BadUserInput,
      `${field}.fen must be at most ${MAX_PROJECT_TOTAL_FEN} fen (${formatYuan(MAX_PROJECT_TOTAL_FEN)} yuan); got ${amount.fen}.`,
      { field: `${field}.fen` },
    );
  }
  return amountSoughtFen(amount, field);
}
