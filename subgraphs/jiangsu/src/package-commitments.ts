import {
  kindOfNewRecord,
  MAX_PACKAGE_LINES,
  amountLimitExceeded,
  ErrorCode,
  HUB_KEY_PREFIX,
  idempotencyKeyReused,
  isStorableKey,
  isUuid,
  positiveFen,
  requestFingerprint,
  requirePairingService,
  userError,
  type Identity,
  type MoneyInput,
  type ProvenanceKind,
} from '@hub/common';
import { projectRecords, requireMatchingProvenance } from '@hub/server';
import { GraphQLError } from 'graphql';
import type { JiangsuContext } from './loaders.ts';
import type { FundingEntryRow, NewFundingEntry } from './store/funding-store.ts';

export interface PackageCommitmentsInput {
  packageId: string;
  ceremonyId: string;
  version: number;
  lines: { position: number; projectId: string; organizationId: string; amount: MoneyInput }[];
}

/**
 * The key of a line's commitment: the package and the line's position, so that every try of
 * one signing names the same entries and a retry records nothing new. Keys are per
 * organization (docs/decisions/0020); a line's organization is fixed by the frozen package.
 */
export function packageLineKey(packageId: string, position: number): string {
  return `${HUB_KEY_PREFIX}package:${packageId}:line:${position}`;
}

/**
 * Records the commitments of a package being signed (docs/decisions/0023-signing-a-package.md):
 * all lines in one transaction, or none. The stage rule of recordMoney is not asked — the
 * pairing holds every project of the package for this signing and vouches for it — but the
 * entry limit, each project's total, the organization's existence and the rule against money
 * between demo and real records hold, and a refusal names the line and writes nothing.
 */
export async function recordPackageCommitments(context: JiangsuContext, input: PackageCommitmentsInput): Promise<FundingEntryRow[]> {
  const { identity, funding, loaders, peers } = context;
  requirePairingService(identity, "record a package's commitments");
  const entries = checkedEntries(input, identity);

  // A retry: every line found under its key, as asked, is the answer whatever changed since.
  const earlier = await funding.entriesByKeys(entries);
  const found = new Map(earlier.map((entry) => [`${entry.organizationId}\u0000${entry.idempotencyKey}`, entry]));
  const replayed = entries.map((entry) => {
    const existing = found.get(`${entry.organizationId}\u0000${entry.idempotencyKey}`);
    if (existing && existing.requestFingerprint !== entry.requestFingerprint) throw onLine(idempotencyKeyReused(), entry.position);
    return existing;
  });
  if (replayed.every((entry) => entry !== undefined)) return replayed as FundingEntryRow[];

  // The organizations are this subgraph's; the projects are Shaanxi's, asked for all lines at once.
  const [organizations, projects] = await Promise.all([
    loaders.organization.loadMany(entries.map((entry) => entry.organizationId)),
    projectRecords(
      peers,
      entries.map((entry) => entry.projectId),
    ),
  ]);
  const provenances: ProvenanceKind[] = entries.map((entry, index) => {
    const organization = organizations[index];
    if (organization instanceof Error) throw organization;
    if (!organization) {
      throw onLine(
        userError(ErrorCode.NotFound, `No Jiangsu organization has id ${JSON.stringify(entry.organizationId)}.`, {
          entity: 'Jiangsu organization',
          lookup: { id: entry.organizationId },
        }),
        entry.position,
      );
    }
    const project = projects[index];
    if (!project) {
      throw onLine(
        userError(ErrorCode.NotFound, `No project has id ${JSON.stringify(entry.projectId)}.`, { entity: 'project', lookup: { id: entry.projectId } }),
        entry.position,
      );
    }
    try {
      requireMatchingProvenance({ id: entry.organizationId, kind: organization.provenanceKind }, { id: entry.projectId, kind: project.kind });
    } catch (error) {
      throw onLine(error, entry.position);
    }
    return organization.provenanceKind;
  });

  const outcome = await funding.recordAll(
    entries.map(({ position: _position, ...entry }, index) => ({
      ...entry,
      provenanceKind: kindOfNewRecord(provenances[index]!),
    })),
  );
  switch (outcome.type) {
    case 'recorded':
      for (const entry of outcome.entries) {
        loaders.accountsByProject.clear(entry.projectId);
        loaders.totalsByProject.clear(entry.projectId);
        loaders.entriesByProject.clear(entry.projectId);
      }
      return outcome.entries;
    case 'key-reused':
      throw onLine(idempotencyKeyReused(), entries[outcome.index]!.position);
    case 'over-limit':
      throw onLine(amountLimitExceeded(outcome.limit, `input.lines[${outcome.index}].amount.fen`, 'commitment'), entries[outcome.index]!.position);
    case 'refused':
      // Another of the books' checks refused the line, and recordAll rolled every line back: a
      // refusal like the limits', which the pairing answers by taking the signing back.
      throw onLine(
        userError(ErrorCode.BadUserInput, `The Jiangsu books refuse this commitment: it breaks their rule ${outcome.check}.`, {
          field: `input.lines[${outcome.index}].amount`,
          check: outcome.check,
        }),
        entries[outcome.index]!.position,
      );
  }
}

type LineEntry = NewFundingEntry & { position: number };

/** The request checked: one commitment per line, keyed and fingerprinted, or BAD_USER_INPUT naming the field. */
function checkedEntries(input: PackageCommitmentsInput, identity: Identity): LineEntry[] {
  const packageId = input.packageId.toLowerCase();
  if (!isUuid(packageId)) throw badInput('input.packageId', 'must be a package id (a UUID)');
  if (!input.ceremonyId || !isStorableKey(input.ceremonyId)) throw badInput('input.ceremonyId', 'must be a ceremony id');
  if (!Number.isSafeInteger(input.version) || input.version < 1) throw badInput('input.version', 'must be 1 or more');
  if (input.lines.length === 0 || input.lines.length > MAX_PACKAGE_LINES) throw badInput('input.lines', `must hold 1 to ${MAX_PACKAGE_LINES} lines`);
  const positions = new Set<number>();
  return input.lines.map((line, index) => {
    const field = `input.lines[${index}]`;
    if (!Number.isSafeInteger(line.position) || line.position < 1 || positions.has(line.position)) {
      throw badInput(`${field}.position`, 'must be a position from 1, once per package');
    }
    positions.add(line.position);
    const projectId = line.projectId.toLowerCase();
    if (!isUuid(projectId)) throw onLine(badInput(`${field}.projectId`, 'must be a project id (a UUID)'), line.position);
    if (!line.organizationId || !isStorableKey(line.organizationId)) {
      throw onLine(badInput(`${field}.organizationId`, 'must be a Jiangsu organization id'), line.position);
    }
    let amountFen: bigint;
    try {
      amountFen = positiveFen(line.amount, `${field}.amount`);
    } catch (error) {
      throw onLine(error, line.position);
    }
    const note = `Committed at signing: package ${packageId} (ceremony ${input.ceremonyId}, version ${input.version}), line ${line.position}.`;
    return {
      position: line.position,
      projectId,
      organizationId: line.organizationId,
      kind: 'COMMITMENT' as const,
      amountFen,
      note,
      idempotencyKey: packageLineKey(packageId, line.position),
      // As recordMoney fingerprints a commitment, so the package's entry and a hand-made one compare alike.
      requestFingerprint: requestFingerprint({
        kind: 'COMMITMENT',
        projectId,
        amountFen: String(amountFen),
        note,
        organizationId: line.organizationId,
      }),
      recordedByRole: identity.role,
      recordedBySubject: identity.subject,
    };
  });
}

function badInput(field: string, rule: string): GraphQLError {
  return userError(ErrorCode.BadUserInput, `${field} ${rule}.`, { field });
}

/**
 * The refusal, naming the package line it is about. Only a coded refusal is one: anything else
 * is a failure, and stays one, so that the pairing tries again rather than takes the signing back.
 */
function onLine(error: unknown, position: number): unknown {
  if (!(error instanceof GraphQLError) || error.extensions.code === undefined) return error;
  return new GraphQLError(`Line ${position}: ${error.message}`, { extensions: { ...error.extensions, line: position } });
}
