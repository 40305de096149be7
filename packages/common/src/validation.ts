import { ErrorCode, userError } from './errors.ts';

const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
const CONTROL_SINGLE_LINE = /[\u0000-\u001F\u007F]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export interface TextRule {
  /** The input field, as the caller named it (e.g. "input.titleZh"). */
  field: string;
  max: number;
  /** Line breaks and tabs allowed (descriptions), or a single line (names, titles). */
  multiline?: boolean;
}

/**
 * Checks a text input and returns it trimmed: well-formed Unicode, no control characters
 * (Postgres refuses NUL; the rest have no place in names), not blank, not over `max`
 * characters. Each refusal is a BAD_USER_INPUT naming the field.
 */
export function cleanText(value: string, rule: TextRule): string {
  if (LONE_SURROGATE.test(value)) throw invalid(rule.field, 'is not well-formed Unicode');
  if ((rule.multiline ? CONTROL : CONTROL_SINGLE_LINE).test(value)) {
    throw invalid(rule.field, rule.multiline ? 'contains control characters' : 'must be one line without control characters');
  }
  const trimmed = value.trim();
  if (trimmed === '') throw invalid(rule.field, 'must not be blank');
  const length = [...trimmed].length;
  if (length > rule.max) throw invalid(rule.field, `is ${length} characters long; at most ${rule.max} are allowed`);
  return trimmed;
}

/** As `cleanText`, for an optional field: undefined stays "unchanged", null stays "clear". */
export function cleanOptionalText(value: string | null | undefined, rule: TextRule): string | null | undefined {
  return value === null || value === undefined ? value : cleanText(value, rule);
}

/** A whole number in [min, max], or BAD_USER_INPUT naming the field. */
export function checkRange(value: number, field: string, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw invalid(field, `must be a whole number from ${min} to ${max}; got ${value}`);
  }
  return value;
}

/** A field that may be left out but, when given, may not be null. */
export function notNull<T>(value: T | null | undefined, field: string): T | undefined {
  if (value === null) throw invalid(field, 'cannot be null');
  return value;
}

function invalid(field: string, problem: string) {
  return userError(ErrorCode.BadUserInput, `${field} ${problem}.`, { field });
}

const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/**
 * A Unified Social Credit Code (统一社会信用代码, GB 32100-2015): 18 characters from its
 * 31-character set, the last a check character over the first 17.
 */
export function checkUnifiedSocialCreditCode(value: string, field: string): string {
  const code = value.trim().toUpperCase();
  if (!/^[0-9A-HJ-NPQRTUWXY]{18}$/.test(code)) {
    throw invalid(field, 'must be 18 characters of digits and capital letters other than I, O, S, V and Z');
  }
  let sum = 0;
  for (let i = 0; i < 17; i += 1) sum += USCC_CHARSET.indexOf(code[i] as string) * (USCC_WEIGHTS[i] as number);
  const expected = USCC_CHARSET[(31 - (sum % 31)) % 31];
  if (code[17] !== expected) throw invalid(field, `has check character ${code[17]}; the code's check character is ${expected}`);
  return code;
}

/** An http(s) URL of at most 500 characters. */
export function checkWebsite(value: string, field: string): string {
  const text = cleanText(value, { field, max: 500 });
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid(field, 'must be a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalid(field, 'must be an http or https URL');
  return url.toString();
}
