import { createHash } from 'node:crypto';
import { ErrorCode, notFound, userError } from './errors.ts';
import { isUuid } from './ids.ts';
import { amountLimitExceeded, formatYuan, MAX_ENTRY_FEN, MAX_PROJECT_TOTAL_FEN } from './money.ts';
import { cleanOptionalText, cleanText } from './validation.ts';

/** Money as a caller sends it: integer fen and a currency. */
export interface MoneyInput {
  fen: number;
  currency: 'CNY';
}

/**
 * A positive amount in fen within the entry limit; a ledger never records zero or negative
 * money. The database checks the same limit, and the project totals, again.
 */
export function positiveFen(amount: MoneyInput, field: string): bigint {
  const fen = wholeFen(amount, `${field}.fen`, 1, MAX_ENTRY_FEN);
  if (fen > MAX_ENTRY_FEN) throw amountLimitExceeded('ENTRY', `${field}.fen`, 'entry');
  return fen;
}

/**
 * What a need seeks, in fen: zero or more, and within what one project's totals may reach, so
 * that a need can be met in full. The database checks the same limit again.
 */
export function amountSoughtFen(amount: MoneyInput, field: string): bigint {
  const fen = wholeFen(amount, `${field}.fen`, 0, MAX_PROJECT_TOTAL_FEN);
  if (fen > MAX_PROJECT_TOTAL_FEN) throw amountSoughtOverLimit(`${field}.fen`);
  return fen;
}

/**
 * An amount that is a whole number of fen and at least `min`, else BAD_USER_INPUT naming the
 * range the field really takes (up to the money limit `max`, not the largest exact float). An
 * exact whole number above `max` is left to the caller, which refuses it with AMOUNT_LIMIT_EXCEEDED.
 */
function wholeFen(amount: MoneyInput, field: string, min: number, max: bigint): bigint {
  if (!Number.isSafeInteger(amount.fen) || amount.fen < min) {
    throw userError(
      ErrorCode.BadUserInput,
      `${field} must be a whole number of fen from ${min} to ${max} (${formatYuan(max)} yuan); got ${amount.fen}.`,
      { field },
    );
  }
  return BigInt(amount.fen);
}

/** A need seeking more than one project's total may reach (AMOUNT_LIMIT_EXCEEDED, PROJECT_TOTAL). */
export function amountSoughtOverLimit(field: string): Error {
  return userError(
    ErrorCode.AmountLimitExceeded,
    `${field} is over the limit of ${formatYuan(MAX_PROJECT_TOTAL_FEN)} yuan that one project may seek; nothing was recorded.`,
    { limit: 'PROJECT_TOTAL', limitFen: Number(MAX_PROJECT_TOTAL_FEN), field },
  );
}

/**
 * An idempotency key: the caller's name for one intended write, so that sending the same
 * request twice records it once. 8 to 100 printable characters.
 */
export function checkIdempotencyKey(value: string): string {
  const key = cleanText(value, { field: 'input.idempotencyKey', max: 100 });
  if (key.length < 8) {
    throw userError(ErrorCode.BadUserInput, 'input.idempotencyKey must be at least 8 characters (a UUID is a good key).', {
      field: 'input.idempotencyKey',
    });
  }
  if (key.startsWith(HUB_KEY_PREFIX)) {
    throw userError(ErrorCode.BadUserInput, `input.idempotencyKey may not start with "${HUB_KEY_PREFIX}": such keys name the hub's own entries.`, {
      field: 'input.idempotencyKey',
    });
  }
  return key;
}

/**
 * The start of the keys the hub makes for entries it records itself (a package signing's
 * commitments, docs/decisions/0023). No caller may send one: a pledge taking the key a line's
 * commitment will use would otherwise block that package's signing for good.
 */
export const HUB_KEY_PREFIX = 'hub:';

/** A fingerprint of what a money request asks for, to tell a retry from a reused key. */
export function requestFingerprint(parts: Record<string, unknown>): string {
  return createHash('sha256').update(JSON.stringify(parts, Object.keys(parts).sort())).digest('hex');
}

/**
 * The key and fingerprint a creating mutation stores with its record, or nulls when the
 * caller sent no key. `request` is what was asked, checked: a retry fingerprints the same.
 */
export function creationKey(
  idempotencyKey: string | null | undefined,
  request: Record<string, unknown>,
): { idempotencyKey: string | null; requestFingerprint: string | null } {
  if (idempotencyKey === null || idempotencyKey === undefined) return { idempotencyKey: null, requestFingerprint: null };
  const flat = Object.fromEntries(
    Object.entries(request).map(([name, value]) => [name, typeof value === 'bigint' ? String(value) : (value ?? null)]),
  );
  return { idempotencyKey: checkIdempotencyKey(idempotencyKey), requestFingerprint: requestFingerprint(flat) };
}

export function idempotencyKeyReused(): Error {
  return userError(
    ErrorCode.IdempotencyKeyReused,
    'This idempotency key was already used for a different request; use a new key for a new entry.',
    { field: 'input.idempotencyKey' },
  );
}

/** The money rules refuse an entry because of the project's stage. */
export function stageRefusesMoney(what: string, stage: string, allowed: readonly string[]): Error {
  return userError(
    ErrorCode.StageRefusesMoney,
    `A ${what} cannot be recorded while the project is ${stage}; it can be at ${allowed.join(', ')}.`,
    { stage, allowedStages: allowed },
  );
}

/** What every money request carries, checked: the project, a positive amount, the key, a note. */
export function moneyRequestBasics(input: { projectId: string; amount: MoneyInput; idempotencyKey: string; note?: string | null }) {
  const projectId = input.projectId.toLowerCase();
  if (!isUuid(projectId)) throw notFound('project', 'id', input.projectId);
  return {
    projectId,
    amountFen: positiveFen(input.amount, 'input.amount'),
    idempotencyKey: checkIdempotencyKey(input.idempotencyKey),
    note: cleanOptionalText(input.note, { field: 'input.note', max: 1000, multiline: true }) ?? null,
  };
}

/**
 * An entry already recorded under the request's key: a retry of the same request gets it
 * back; the key reused for anything else is refused; null when the key is new.
 */
export function replayOf<Entry extends { requestFingerprint: string }>(earlier: Entry | null, fingerprint: string): Entry | null {
  if (earlier && earlier.requestFingerprint !== fingerprint) throw idempotencyKeyReused();
  return earlier;
}
