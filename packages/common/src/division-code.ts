import { GraphQLScalarType, Kind } from 'graphql';
import { ErrorCode, ErrorReason, userError } from './errors.ts';

const SIX_DIGITS = /^[1-9][0-9]{5}$/;

/**
 * A GB/T 2260 administrative division code: six digits, two for the province, two for the
 * prefecture-level city, two for the county-level division ("610927" is 镇坪县).
 */
export function parseDivisionCode(value: unknown): string {
  if (typeof value !== 'string' || !SIX_DIGITS.test(value)) {
    throw invalidDivisionCode(describe(value));
  }
  return value;
}

/**
 * Apollo Server reports a bad argument literal as GRAPHQL_VALIDATION_FAILED and a bad
 * variable as BAD_USER_INPUT; `reason` says which scalar refused it, in both cases.
 */
function invalidDivisionCode(got: string) {
  return userError(
    ErrorCode.BadUserInput,
    `DivisionCode must be a string of six digits (GB/T 2260, e.g. "610927"); got ${got}.`,
    { reason: ErrorReason.InvalidDivisionCode },
  );
}

function describe(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** The prefecture-level division a county-level code belongs to ("610927" → "610900"). */
export function prefectureOf(code: string): string {
  return `${code.slice(0, 4)}00`;
}

/** The province a division code belongs to ("610927" → "610000"). */
export function provinceOf(code: string): string {
  return `${code.slice(0, 2)}0000`;
}

export const DivisionCodeScalar = new GraphQLScalarType({
  name: 'DivisionCode',
  description: 'A six-digit GB/T 2260 administrative division code, e.g. "610927".',
  serialize: (value) => parseDivisionCode(value),
  parseValue: (value) => parseDivisionCode(value),
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) {
      throw invalidDivisionCode(`a ${ast.kind.toLowerCase()} literal`);
    }
    return parseDivisionCode(ast.value);
  },
});
