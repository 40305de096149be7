import { ErrorCode, formatYuan, prefectureOf, userError } from '@hub/common';
import type { GraphQLError } from 'graphql';
import type { Stage } from './db/schema.ts';

/** The checks a package must pass before it is final, in the order they are listed. */
export const PACKAGE_CHECK_KINDS = [
  'NOT_EMPTY',
  'SCHEDULED_AND_MATCHED',
  'ONE_PACKAGE_PER_PROJECT',
  'PAIRING_ALLOWED',
  'AMOUNT_WITHIN_NEED',
  'TOTAL_IS_SUM',
] as const;
export type PackageCheckKind = (typeof PACKAGE_CHECK_KINDS)[number];

/** Stable codes of failed checks; clients switch on them, so they are never renamed. */
export type PackageCheckCode =
  | 'EMPTY_PACKAGE'
  | 'PROJECT_NOT_SCHEDULED'
  | 'PROJECT_NOT_MATCHED'
  | 'ORGANIZATION_NOT_MATCHED'
  | 'DUPLICATE_PROJECT'
  | 'PROJECT_IN_ANOTHER_PACKAGE'
  | 'PAIRING_NOT_ALLOWED'
  | 'AMOUNT_NOT_POSITIVE'
  | 'AMOUNT_OVER_NEED'
  | 'NEED_STATES_NO_AMOUNT'
  | 'TOTAL_MISMATCH';

/** One check's result on one line, or on the whole package (`line` null). Stored as is in `ceremony_package.checks`. */
export interface PackageCheckResult {
  kind: PackageCheckKind;
  line: number | null;
  passed: boolean;
  code: PackageCheckCode | null;
  message: string;
}

/** What a check needs of a line. */
export interface LineToCheck {
  position: number;
  projectId: string;
  countyCode: string;
  jiangsuOrganizationId: string;
  amountFen: bigint;
}

/** What the pipeline and Shaanxi say of a project now. */
export interface ProjectFacts {
  /** Null: the need never entered the pipeline. */
  stage: Stage | null;
  /** The ceremony whose batch it is in (it keeps that batch if it left SCHEDULED). */
  ceremonyId: string | null;
  matchedOrganizationId: string | null;
  /** What the need seeks; null where it states no amount. */
  amountSoughtFen: bigint | null;
}

/** Every fact the checks judge a package by, gathered in a fixed number of queries. */
export interface PackageFacts {
  ceremonyId: string;
  statedTotalFen: bigint;
  lines: readonly LineToCheck[];
  /** By project id; a project missing here is judged as never having entered the pipeline. */
  projects: ReadonlyMap<string, ProjectFacts>;
  /** The ceremony whose standing (final, signing or signed) package holds each project. */
  claims: ReadonlyMap<string, string>;
  /** The Jiangsu city each Jiangsu organization is based in; null: none, or no such organization. */
  organizationCities: ReadonlyMap<string, string | null>;
  /** The city pairings, as Jiangsu city code → Shaanxi prefecture codes. */
  pairings: ReadonlyMap<string, ReadonlySet<string>>;
  /** The exceptions the offices recorded under the ceremony's agreement. */
  exceptions: readonly PairingExceptionFact[];
}

export interface PairingExceptionFact {
  organizationId: string;
  countyCode: string | null;
  prefectureCode: string | null;
}

/** A failure as the PACKAGE_CHECKS_FAILED error lists it. */
export interface PackageProblem {
  line: number | null;
  projectId: string | null;
  kind: PackageCheckKind;
  code: PackageCheckCode;
  message: string;
}

/** Stages at which a project has no match, whatever organization it was once matched with. */
const UNMATCHED: ReadonlySet<Stage> = new Set(['PROPOSED', 'PUBLISHED']);

/**
 * Judges a package on the facts gathered for it. Every check is listed for every line it is
 * about, passed or failed, so an office sees what was checked and not only what went wrong;
 * a line failing a check for two reasons lists both.
 */
export function runPackageChecks(facts: PackageFacts): PackageCheckResult[] {
  const results: PackageCheckResult[] = [];
  results.push(
    facts.lines.length === 0
      ? fail('NOT_EMPTY', null, 'EMPTY_PACKAGE', 'The package has no lines.')
      : pass('NOT_EMPTY', null, `The package has ${facts.lines.length} line(s).`),
  );

  const firstLineOf = new Map<string, number>();
  for (const line of facts.lines) {
    const project = facts.projects.get(line.projectId) ?? { stage: null, ceremonyId: null, matchedOrganizationId: null, amountSoughtFen: null };
    results.push(...scheduledAndMatched(line, project, facts.ceremonyId));
    results.push(...onePackagePerProject(line, facts, firstLineOf));
    results.push(pairingAllowed(line, facts));
    results.push(...amountWithinNeed(line, project));
  }

  const sum = facts.lines.reduce((total, line) => total + line.amountFen, 0n);
  results.push(
    sum === facts.statedTotalFen
      ? pass('TOTAL_IS_SUM', null, `The stated total ${formatYuan(sum)} yuan is the sum of the lines.`)
      : fail(
          'TOTAL_IS_SUM',
          null,
          'TOTAL_MISMATCH',
          `The stated total is ${formatYuan(facts.statedTotalFen)} yuan, but the lines sum to ${formatYuan(sum)} yuan.`,
        ),
  );
  return results;
}

/** The failures of `results`, each with the project of its line, for PACKAGE_CHECKS_FAILED. */
export function packageProblems(results: readonly PackageCheckResult[], lines: readonly LineToCheck[]): PackageProblem[] {
  const projectAt = new Map(lines.map((line) => [line.position, line.projectId]));
  return results
    .filter((result): result is PackageCheckResult & { code: PackageCheckCode } => !result.passed && result.code !== null)
    .map((result) => ({
      line: result.line,
      projectId: result.line === null ? null : (projectAt.get(result.line) ?? null),
      kind: result.kind,
      code: result.code,
      message: result.message,
    }));
}

/**
 * PACKAGE_CHECKS_FAILED, listing every problem with its line and code; `outcome` says what was
 * therefore not done (finalized, signed).
 */
export function checksFailedError(problems: readonly PackageProblem[], outcome: string): GraphQLError {
  const lines = [...new Set(problems.map((problem) => problem.line).filter((line) => line !== null))];
  return userError(
    ErrorCode.PackageChecksFailed,
    `The package failed ${problems.length} check(s)${lines.length > 0 ? ` on line(s) ${lines.join(', ')}` : ''}: ${problems
      .map((problem) => `${problem.line === null ? 'package' : `line ${problem.line}`} ${problem.code}`)
      .join('; ')}. ${outcome}`,
    { problems: [...problems] },
  );
}

function scheduledAndMatched(line: LineToCheck, project: ProjectFacts, ceremonyId: string): PackageCheckResult[] {
  const kind = 'SCHEDULED_AND_MATCHED';
  const failures: PackageCheckResult[] = [];
  if (project.stage !== 'SCHEDULED') {
    failures.push(
      fail(kind, line.position, 'PROJECT_NOT_SCHEDULED', `Project ${line.projectId} is ${project.stage ?? 'not in the pipeline'}, not SCHEDULED.`),
    );
  } else if (project.ceremonyId !== ceremonyId) {
    failures.push(
      fail(kind, line.position, 'PROJECT_NOT_SCHEDULED', `Project ${line.projectId} is scheduled for ceremony ${project.ceremonyId}, not this one.`),
    );
  }
  // A project sent back to PUBLISHED keeps the organization it was once matched with; it is not matched now.
  const matchedWith = project.stage !== null && !UNMATCHED.has(project.stage) ? project.matchedOrganizationId : null;
  if (matchedWith === null) {
    failures.push(fail(kind, line.position, 'PROJECT_NOT_MATCHED', `Project ${line.projectId} is not matched with a Jiangsu organization.`));
  } else if (matchedWith !== line.jiangsuOrganizationId) {
    failures.push(
      fail(
        kind,
        line.position,
        'ORGANIZATION_NOT_MATCHED',
        `The line names Jiangsu organization ${line.jiangsuOrganizationId}, but project ${line.projectId} is matched with ${matchedWith}.`,
      ),
    );
  }
  return failures.length > 0
    ? failures
    : [pass(kind, line.position, `Project ${line.projectId} is scheduled for this ceremony and matched with ${line.jiangsuOrganizationId}.`)];
}

function onePackagePerProject(line: LineToCheck, facts: PackageFacts, firstLineOf: Map<string, number>): PackageCheckResult[] {
  const kind = 'ONE_PACKAGE_PER_PROJECT';
  const failures: PackageCheckResult[] = [];
  const first = firstLineOf.get(line.projectId);
  if (first === undefined) firstLineOf.set(line.projectId, line.position);
  else failures.push(fail(kind, line.position, 'DUPLICATE_PROJECT', `Project ${line.projectId} is already on line ${first}.`));
  const heldBy = facts.claims.get(line.projectId);
  // The ceremony's own earlier final package gives its projects up when this one is finalized.
  // The other ceremony is not named: its package may be one the reader of these checks may not see.
  if (heldBy !== undefined && heldBy !== facts.ceremonyId) {
    failures.push(fail(kind, line.position, 'PROJECT_IN_ANOTHER_PACKAGE', `Project ${line.projectId} is in the standing package of another ceremony.`));
  }
  return failures.length > 0 ? failures : [pass(kind, line.position, `Project ${line.projectId} is in no other line or package.`)];
}

function pairingAllowed(line: LineToCheck, facts: PackageFacts): PackageCheckResult {
  const kind = 'PAIRING_ALLOWED';
  const organization = line.jiangsuOrganizationId;
  const prefecture = prefectureOf(line.countyCode);
  const city = facts.organizationCities.get(organization) ?? null;
  if (city !== null && facts.pairings.get(city)?.has(prefecture)) {
    return pass(kind, line.position, `Jiangsu city ${city} of ${organization} is paired with prefecture ${prefecture} of county ${line.countyCode}.`);
  }
  const exception = facts.exceptions.find(
    (recorded) =>
      recorded.organizationId === organization && (recorded.countyCode === line.countyCode || recorded.prefectureCode === prefecture),
  );
  if (exception) {
    return pass(
      kind,
      line.position,
      `An exception the offices recorded lets ${organization} sign with ${exception.countyCode ? `county ${line.countyCode}` : `prefecture ${prefecture}`}.`,
    );
  }
  return fail(
    kind,
    line.position,
    'PAIRING_NOT_ALLOWED',
    city === null
      ? `Jiangsu organization ${organization} is based in no Jiangsu city and has no exception for county ${line.countyCode}.`
      : `Jiangsu city ${city} of ${organization} is not paired with prefecture ${prefecture} of county ${line.countyCode}, and no exception was recorded.`,
  );
}

function amountWithinNeed(line: LineToCheck, project: ProjectFacts): PackageCheckResult[] {
  const kind = 'AMOUNT_WITHIN_NEED';
  const amount = `${formatYuan(line.amountFen)} yuan`;
  if (line.amountFen <= 0n) {
    return [fail(kind, line.position, 'AMOUNT_NOT_POSITIVE', `The amount is ${amount}; it must be more than zero.`)];
  }
  // A need that states no amount gives nothing to commit against: the office states it first.
  if (project.amountSoughtFen === null) {
    return [fail(kind, line.position, 'NEED_STATES_NO_AMOUNT', `The amount is ${amount}, but project ${line.projectId} states no amount sought.`)];
  }
  if (line.amountFen > project.amountSoughtFen) {
    return [
      fail(
        kind,
        line.position,
        'AMOUNT_OVER_NEED',
        `The amount is ${amount}, more than the ${formatYuan(project.amountSoughtFen)} yuan project ${line.projectId} seeks.`,
      ),
    ];
  }
  return [pass(kind, line.position, `The amount ${amount} is within the ${formatYuan(project.amountSoughtFen)} yuan sought.`)];
}

function pass(kind: PackageCheckKind, line: number | null, message: string): PackageCheckResult {
  return { kind, line, passed: true, code: null, message };
}

function fail(kind: PackageCheckKind, line: number | null, code: PackageCheckCode, message: string): PackageCheckResult {
  return { kind, line, passed: false, code, message };
}
