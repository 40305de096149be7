import { ErrorCode, notFound, requireRole, userError, type Identity } from '@hub/common';
import { logLine, PeerUnavailableError, type BackgroundSettings, type Peers } from '@hub/server';
import { GraphQLError } from 'graphql';
import type { PairingLoaders } from './loaders.ts';
import { checksFailedError, packageProblems, type PackageProblem } from './package-checks.ts';
import { checkPackages, type FactSource } from './package-facts.ts';
import type { PackageLineRow, PackageRow, PackageStore } from './store/package-store.ts';
import type { SigningRow, SigningStore } from './store/signing-store.ts';

export interface SignPackageInput {
  ceremonyId: string;
  version: number;
}

/** What a signing needs: its stores, the Jiangsu books through the graph, and how long a try may take. */
export interface SigningDeps {
  packages: Pick<PackageStore, 'packageByVersion' | 'linesOfPackages'>;
  signing: SigningStore;
  peers: Peers;
  /** How long one try may take: the request time limit (REQUEST_TIMEOUT_MS). */
  tryTimeoutMs: number;
  /** Told when a try leaves a signing pending, so that it is tried again. */
  onPending?: (packageId: string) => void;
  /**
   * The package's checks run again on today's facts, before a signing is decided: a need's
   * amount or an organization's city may have changed since it was finalized. Failures only.
   */
  recheck?: (pkg: PackageRow) => Promise<PackageProblem[]>;
}

/** This process's recovery of pending signings, as a request's signing uses it. */
export interface SigningRetries {
  /** The process's configured limits; a request's try is bounded as the recovery's are. */
  readonly settings: BackgroundSettings;
  /** A request left `packageId` pending: the recovery tries it again later. */
  wake(packageId: string): void;
}

/** What a request's context holds for signing (the pairing's context does). */
export interface SigningRequestContext extends FactSource {
  signing: SigningStore;
  signingRecovery: SigningRetries | null;
  loaders: Pick<PairingLoaders, 'ceremony'>;
}

/** Where a try of a signing's remaining steps left it. */
export type TryOutcome =
  | { type: 'signed'; package: PackageRow }
  /** The Jiangsu books refused: the signing was taken back and the package is FINAL again. */
  | { type: 'refused'; error: GraphQLError }
  /** Decided and kept; a step did not finish and will be tried again. */
  | { type: 'pending'; subgraph: 'jiangsu' | 'pairing'; reason: string }
  /** Another try holds the signing now. */
  | { type: 'busy' }
  /** The package is not being signed (never was, or was taken back meanwhile). */
  | { type: 'not-signing'; package: PackageRow };

const RECORD_COMMITMENTS = /* GraphQL */ `
  mutation RecordPackageCommitments($input: PackageCommitmentsInput!) {
    recordPackageCommitments(input: $input) { id }
  }
`;

/**
 * Codes on which trying again may go differently: the other books could not be reached, ran out
 * of time, or failed inside (a peer's internal error reaches the pairing as SUBGRAPH_UNAVAILABLE,
 * `answered`). Any other code is the Jiangsu books' refusal, and stands. A failure inside is not
 * taken for a refusal: the commitments are one transaction, but a failure after its COMMIT was
 * sent (the connection lost while committing, the answer failing) leaves them recorded, and
 * taking the signing back would let the projects go while Jiangsu holds their commitments. A
 * retry is always safe — it finds the lines by their keys — so the signing stays pending.
 */
const TRANSIENT_CODES = new Set<string>([ErrorCode.SubgraphUnavailable, ErrorCode.Timeout, ErrorCode.Internal]);

/**
 * Signing a package, all or nothing (docs/decisions/0023-signing-a-package.md): a decision in
 * one pairing transaction, then the commitments in one Jiangsu transaction, then the projects
 * SIGNED in one pairing transaction. Once decided, a signing is finished by whoever tries it
 * next — the caller at once, `signCeremonyPackage` again, or the recovery — and every step
 * records nothing twice.
 */
export class SigningService {
  /**
   * How long a try holds its claim on a signing, so that no other runs the same step meanwhile.
   * A try runs under the time limit until the decision commits, and a Jiangsu mutation it then
   * sends runs to its end under Jiangsu's own limit (the same setting): twice the limit outlasts
   * every try still running, and a claim left by a crashed process runs out after that long.
   */
  private readonly claimMs: number;

  constructor(private readonly deps: SigningDeps) {
    this.claimMs = 2 * deps.tryTimeoutMs;
  }

  /**
   * The signing service of one request, with this process's configured time limit, and the
   * recovery woken when the request leaves a signing pending. Every way the hub starts
   * (gateway, a subgraph's own process, the test kit) starts the recovery before it serves;
   * a pairing subgraph without it could leave a signing pending with no one to finish it.
   */
  static forRequest(context: SigningRequestContext): SigningService {
    const { packages, signing, peers, signingRecovery } = context;
    if (!signingRecovery) {
      throw new Error('signing a package needs the recovery of pending signings running in this process (SubgraphModule.startBackground)');
    }
    return new SigningService({
      packages,
      signing,
      peers,
      tryTimeoutMs: signingRecovery.settings.tryTimeoutMs,
      onPending: (packageId) => signingRecovery.wake(packageId),
      async recheck(pkg) {
        const [lines, ceremony] = await Promise.all([packages.linesOfPackages([pkg.id]), context.loaders.ceremony.load(pkg.ceremonyId)]);
        if (!ceremony) throw new Error(`package ${pkg.id} names missing ceremony ${pkg.ceremonyId}`);
        const [checks] = await checkPackages(context, [{ package: pkg, lines, ceremony }]);
        return packageProblems(checks!, lines);
      },
    });
  }

  /** Signs a final package for an office; signing a signed package again returns it, changing nothing. */
  async sign(identity: Identity, input: SignPackageInput): Promise<PackageRow> {
    requireRole(identity, ['SHAANXI_OFFICE', 'JIANGSU_OFFICE'], 'sign ceremony packages');
    const pkg = await this.deps.packages.packageByVersion(input.ceremonyId, input.version);
    if (!pkg) throw notFound('ceremony package', 'version', String(input.version));
    switch (pkg.status) {
      case 'SIGNED':
        return pkg;
      case 'DRAFT':
      case 'SUPERSEDED':
        throw notFinal(pkg);
      case 'SIGNING':
        return answer(await this.tryOnce(pkg.id));
      case 'FINAL':
        break;
    }

    const problems = await this.recheck(pkg);
    if (problems.length > 0) throw checksFailedError(problems, 'Nothing was signed; save and finalize a new version.');
    const decided = await this.deps.signing.decide(pkg, { role: identity.role, subject: identity.subject }, this.claimMs);
    switch (decided.type) {
      case 'not-final':
        // Someone else decided first, or a later version took its place: answer as for that status.
        if (decided.status === 'SIGNING' || decided.status === 'SIGNED') return this.sign(identity, input);
        throw notFinal({ ...pkg, status: decided.status });
      case 'not-scheduled':
        throw notScheduled(pkg, decided.positions, await this.deps.packages.linesOfPackages([pkg.id]));
      case 'decided':
        // From here on the signing finishes, now or later: the caller holds the first try's claim.
        return answer(await this.advance(pkg.id, decided.signing));
    }
  }

  /**
   * The package's failures on today's facts. When a province cannot be reached they cannot be
   * gathered: the checks it passed at finalization stand, and the signing goes on to be kept
   * pending until the Jiangsu books answer (docs/decisions/0023, the windows it accepts).
   */
  private async recheck(pkg: PackageRow): Promise<PackageProblem[]> {
    try {
      return (await this.deps.recheck?.(pkg)) ?? [];
    } catch (error) {
      if (error instanceof PeerUnavailableError) return [];
      throw error;
    }
  }

  /** Packages being signed, oldest signing first. */
  pendingPackageIds(): Promise<string[]> {
    return this.deps.signing.pendingPackageIds();
  }

  /** One try of a decided signing's remaining steps, claimed first; for the recovery and for a second `sign`. */
  async tryOnce(packageId: string): Promise<TryOutcome> {
    const claimed = await this.deps.signing.claim(packageId, this.claimMs);
    if (claimed) return this.advance(packageId, claimed);
    const pkg = await this.deps.signing.packageById(packageId);
    if (!pkg) throw new Error(`package ${packageId} vanished`);
    if (pkg.status === 'SIGNING') return { type: 'busy' };
    return pkg.status === 'SIGNED' ? { type: 'signed', package: pkg } : { type: 'not-signing', package: pkg };
  }

  /** The steps left after the decision, under the claim the caller holds; whatever goes wrong leaves the signing pending. */
  private async advance(packageId: string, signing: SigningRow): Promise<TryOutcome> {
    try {
      return await this.steps(packageId, signing);
    } catch (error) {
      return this.pending(signing, 'pairing', 'The signing could not go on just now; it will on a later try.', error);
    }
  }

  private async steps(packageId: string, signing: SigningRow): Promise<TryOutcome> {
    const { signing: store } = this.deps;
    const pkg = await store.packageById(packageId);
    if (!pkg) throw new Error(`package ${packageId} vanished`);
    if (pkg.status !== 'SIGNING') return pkg.status === 'SIGNED' ? { type: 'signed', package: pkg } : { type: 'not-signing', package: pkg };

    if (!signing.commitmentsRecordedAt) {
      const lines = await this.deps.packages.linesOfPackages([packageId]);
      try {
        await this.deps.peers.query('jiangsu', RECORD_COMMITMENTS, {
          input: {
            packageId,
            ceremonyId: pkg.ceremonyId,
            version: pkg.version,
            lines: lines.map((line) => ({
              position: line.position,
              projectId: line.projectId,
              organizationId: line.jiangsuOrganizationId,
              amount: { fen: Number(line.amountFen), currency: 'CNY' },
            })),
          },
        });
      } catch (error) {
        if (error instanceof GraphQLError && !TRANSIENT_CODES.has(String(error.extensions.code))) {
          // Refused, so nothing was recorded there: take the signing back, and nothing is left anywhere.
          if (await store.takeBack(packageId, `Refused by the Jiangsu books: ${error.message}`)) return { type: 'refused', error };
          // Taken back meanwhile, or completed by a try that got there first.
          const now = await store.packageById(packageId);
          return now?.status === 'SIGNED' ? { type: 'signed', package: now } : { type: 'refused', error };
        }
        const failedInside = error instanceof PeerUnavailableError && error.answered;
        return this.pending(
          signing,
          'jiangsu',
          failedInside
            ? 'The Jiangsu books failed while recording the commitments; they will be recorded on a later try.'
            : 'The Jiangsu books could not be reached or did not answer; the commitments will be recorded on a later try.',
          error,
        );
      }
      try {
        await store.commitmentsRecorded(packageId);
      } catch (error) {
        // The next try sends the commitments again and Jiangsu finds them by their keys.
        return this.pending(signing, 'pairing', 'The commitments are recorded; the signing could not note it yet and will on a later try.', error);
      }
    }

    try {
      const done = await store.complete(packageId, `Signed with version ${pkg.version} of the package of ceremony ${pkg.ceremonyId} (${packageId}).`);
      if (done.type === 'signed') return { type: 'signed', package: done.package };
      // Another try completed it, or it was taken back, between this try's reads and its completion.
      const now = (await store.packageById(packageId)) ?? { ...pkg, status: done.status };
      return now.status === 'SIGNED' ? { type: 'signed', package: now } : { type: 'not-signing', package: now };
    } catch (error) {
      return this.pending(signing, 'pairing', 'The commitments are recorded; the projects could not be moved to SIGNED yet and will be on a later try.', error);
    }
  }

  /** Lets go of this try's claim, keeps a reason the offices may read, logs the cause, and asks for another try. */
  private async pending(signing: SigningRow, subgraph: 'jiangsu' | 'pairing', reason: string, cause: unknown): Promise<TryOutcome> {
    const { packageId } = signing;
    logLine('warn', 'a package signing is pending', {
      packageId,
      step: subgraph === 'jiangsu' ? 'commitments' : 'projects',
      cause: describeCause(cause),
    });
    try {
      await this.deps.signing.release(signing, reason);
    } catch {
      // The claim then runs out by itself; the next try reads the reason it finds.
    }
    this.deps.onPending?.(packageId);
    return { type: 'pending', subgraph, reason };
  }
}

/** A try's outcome as the caller of `signCeremonyPackage` gets it. */
function answer(outcome: TryOutcome): PackageRow {
  switch (outcome.type) {
    case 'signed':
      return outcome.package;
    case 'refused':
      throw outcome.error;
    case 'pending':
      throw signingPending(outcome.subgraph, outcome.reason);
    case 'busy':
      throw signingPending(null, 'Another try of this signing is running now; it will finish by itself.');
    case 'not-signing':
      throw notFinal(outcome.package);
  }
}

function signingPending(subgraph: string | null, reason: string): GraphQLError {
  return userError(ErrorCode.SigningPending, `The signing is decided and kept, and will finish by itself: ${reason}`, {
    changeMade: 'PENDING',
    ...(subgraph ? { subgraph } : {}),
  });
}

function notFinal(pkg: Pick<PackageRow, 'ceremonyId' | 'version' | 'status'>): GraphQLError {
  return userError(
    ErrorCode.PackageNotFinal,
    `Version ${pkg.version} of the package of ceremony ${pkg.ceremonyId} is ${pkg.status}: only a final package is signed.`,
    { status: pkg.status, version: pkg.version },
  );
}

/** The lines whose project could not be held for the signing, each named; nothing was written. */
function notScheduled(pkg: PackageRow, positions: readonly number[], lines: readonly PackageLineRow[]): GraphQLError {
  const projectAt = new Map(lines.map((line) => [line.position, line.projectId]));
  const problems: PackageProblem[] = positions.map((position) => ({
    line: position,
    projectId: projectAt.get(position) ?? null,
    kind: 'SCHEDULED_AND_MATCHED',
    code: 'PROJECT_NOT_SCHEDULED',
    message: `Line ${position}: project ${projectAt.get(position)} is no longer at SCHEDULED in the batch of ceremony ${pkg.ceremonyId}, so the package cannot be signed.`,
  }));
  return checksFailedError(problems, 'Nothing was signed.');
}

/** The driver's own message where a query failed (drizzle's wraps it with the whole statement and its values). */
export function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  return cause.cause instanceof Error ? cause.cause.message : cause.message;
}
