import { GraphQLError } from 'graphql';

/**
 * Stable error codes the hub returns in `extensions.code`. Clients switch on these,
 * so a code, once published, is never renamed.
 */
export const ErrorCode = {
  BadUserInput: 'BAD_USER_INPUT',
  NotFound: 'NOT_FOUND',
  Unauthenticated: 'UNAUTHENTICATED',
  Forbidden: 'FORBIDDEN',
  VersionConflict: 'VERSION_CONFLICT',
  AlreadyExists: 'ALREADY_EXISTS',
  IllegalStageChange: 'ILLEGAL_STAGE_CHANGE',
  IdempotencyKeyReused: 'IDEMPOTENCY_KEY_REUSED',
  StageRefusesMoney: 'STAGE_REFUSES_MONEY',
  OverDisbursement: 'OVER_DISBURSEMENT',
  OverSpending: 'OVER_SPENDING',
  AmountLimitExceeded: 'AMOUNT_LIMIT_EXCEEDED',
  AmountBeyondExactRange: 'AMOUNT_BEYOND_EXACT_RANGE',
  SubgraphUnavailable: 'SUBGRAPH_UNAVAILABLE',
  /** Money between synthetic demo data and real records: demo never enters a real organization's books. */
  ProvenanceMismatch: 'PROVENANCE_MISMATCH',
  /** A package failed its checks; `extensions.problems` names each line and reason. */
  PackageChecksFailed: 'PACKAGE_CHECKS_FAILED',
  /** The package is not at the status the change needs (e.g. signing a draft). */
  PackageNotFinal: 'PACKAGE_NOT_FINAL',
  /** The ceremony's package is signed (or being signed): it is never superseded by another version. */
  CeremonyAlreadySigned: 'CEREMONY_ALREADY_SIGNED',
  /** A move to SIGNED of a project in a ceremony's standing package: the package is signed, not the project alone. */
  ProjectInPackage: 'PROJECT_IN_PACKAGE',
  /** The project is held by a package being signed: only that signing moves it. */
  ProjectBeingSigned: 'PROJECT_BEING_SIGNED',
  /** The signing is decided and kept; it finishes by itself once the other books answer. */
  SigningPending: 'SIGNING_PENDING',
  /**
   * The organization's earlier interest in the project still stands: one stands at a time, so
   * it is withdrawn before another is expressed (docs/decisions/0026-matching.md).
   */
  InterestAlreadyExpressed: 'INTEREST_ALREADY_EXPRESSED',
  /**
   * The project is not open for funding at its stage (`stage`, `allowedStages`), so it takes no
   * foundation's interest; kept apart from STAGE_REFUSES_MONEY because interest is not money
   * (docs/decisions/0026-matching.md).
   */
  ProjectNotOpenForFunding: 'PROJECT_NOT_OPEN_FOR_FUNDING',
  /** The request ran past its time limit; what it had not committed was stopped and rolled back. */
  Timeout: 'TIMEOUT',
  /**
   * A bounded resource is at its limit (a subgraph's requests in flight, the gateway's PDF
   * renders and their waiting line): nothing was done; retry after `Retry-After`.
   */
  Overloaded: 'OVERLOADED',
  Internal: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Finer reasons carried in `extensions.reason` beside a BAD_USER_INPUT or validation code. */
export const ErrorReason = {
  InvalidDivisionCode: 'INVALID_DIVISION_CODE',
} as const;

/** An expected failure the caller can act on: bad input, unknown record, refused change. */
export function userError(
  code: ErrorCode,
  message: string,
  details: Record<string, unknown> = {},
): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...details } });
}

export function notFound(entity: string, key: string, value: string): GraphQLError {
  return userError(ErrorCode.NotFound, `No ${entity} has ${key} ${JSON.stringify(value)}.`, {
    entity,
    lookup: { [key]: value },
  });
}

/** The caller edited from an old version: someone else changed the record first. */
export function versionConflict(entity: string, expectedVersion: number, currentVersion: number): GraphQLError {
  return userError(
    ErrorCode.VersionConflict,
    `The ${entity} is at version ${currentVersion}, not ${expectedVersion}: someone changed it first. Reload and try again.`,
    { expectedVersion, currentVersion },
  );
}
