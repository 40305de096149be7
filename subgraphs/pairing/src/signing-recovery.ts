import { Deadline, runWithDeadline, type Db } from '@hub/db';
import { logLine, type BackgroundSettings, type BackgroundTask, type Peers } from '@hub/server';
import { describeCause, SigningService, type SigningRetries } from './signing-service.ts';
import { PackageStore } from './store/package-store.ts';
import { SigningStore } from './store/signing-store.ts';

/** The longest the recovery waits between two tries of a signing that keeps failing. */
export const SIGNING_RETRY_CEILING_MS = 5 * 60_000;

/** When the recovery next tries one pending signing, and how long it waited last. */
interface Wait {
  delayMs: number;
  dueAt: number;
}

/**
 * Finishes signings left pending (docs/decisions/0023-signing-a-package.md): at start, which
 * picks up whatever a crash left, and then while any signing is pending. It does not poll while
 * none is: a request that leaves a signing pending wakes it. A signing whose tries keep failing
 * is tried after `retryMs`, then twice as long each time, up to `SIGNING_RETRY_CEILING_MS`, so
 * that a failure that repeats costs little while its projects wait (an office signing again
 * tries at once). Each try claims its signing first, so two processes on one database never
 * run the same step at once.
 */
export class SigningRecovery implements BackgroundTask, SigningRetries {
  private timer: NodeJS.Timeout | undefined;
  private timerDueAt = 0;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  /** Signings that did not finish, by package id; forgotten once one is no longer pending. */
  private readonly waits = new Map<string, Wait>();
  private readonly service: SigningService;

  constructor(
    db: Db,
    peers: Peers,
    readonly settings: BackgroundSettings,
  ) {
    this.service = new SigningService({
      packages: new PackageStore(db),
      signing: new SigningStore(db),
      peers,
      tryTimeoutMs: settings.tryTimeoutMs,
    });
  }

  /**
   * Looks for signings a crash left pending and, when there are any, tries them at once. The
   * look is awaited, so it belongs to the start and never lands among the first requests.
   */
  async start(): Promise<this> {
    const pending = await this.service.pendingPackageIds().catch((error: unknown) => {
      log('the pending package signings could not be listed', null, error);
      return null;
    });
    if (pending === null || pending.length > 0) this.schedule(0);
    return this;
  }

  /** A request's try left `packageId` pending: it waits as a failed try of the recovery's own. */
  wake(packageId: string): void {
    this.backOff(packageId);
    this.schedule(this.nextDelay());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** The next wait of a signing that did not finish: `retryMs` at first, then twice the last, up to the ceiling. */
  private backOff(packageId: string): void {
    const last = this.waits.get(packageId)?.delayMs ?? 0;
    const delayMs = last === 0 ? this.settings.retryMs : Math.min(2 * last, Math.max(this.settings.retryMs, SIGNING_RETRY_CEILING_MS));
    this.waits.set(packageId, { delayMs, dueAt: Date.now() + delayMs });
  }

  /** Until the earliest signing is due; `retryMs` when none waits (the list could not be read). */
  private nextDelay(): number {
    if (this.waits.size === 0) return this.settings.retryMs;
    return Math.max(0, Math.min(...[...this.waits.values()].map((wait) => wait.dueAt)) - Date.now());
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    const dueAt = Date.now() + delayMs;
    if (this.timer) {
      if (this.timerDueAt <= dueAt) return;
      clearTimeout(this.timer);
    }
    this.timerDueAt = dueAt;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.pass().finally(() => {
        this.running = undefined;
        const again = this.again || this.waits.size > 0;
        this.again = false;
        if (again) this.schedule(this.nextDelay());
      });
    }, delayMs);
    // Pending work never keeps a process alive that is otherwise done.
    this.timer.unref();
  }

  /** Tries every pending signing that is due, once; the others wait their turn. */
  private async pass(): Promise<void> {
    try {
      const pending = await this.service.pendingPackageIds();
      const still = new Set(pending);
      // Finished or taken back meanwhile, here or by another process: nothing to wait for.
      for (const packageId of this.waits.keys()) if (!still.has(packageId)) this.waits.delete(packageId);
      for (const packageId of pending) {
        if (this.stopped) return;
        const wait = this.waits.get(packageId);
        if (wait && wait.dueAt > Date.now()) continue;
        const outcome = await runWithDeadline(Deadline.after(this.settings.tryTimeoutMs), () => this.service.tryOnce(packageId)).catch(
          (error: unknown) => ({ type: 'failed' as const, error }),
        );
        switch (outcome.type) {
          case 'failed':
            log('a try of a pending package signing failed', packageId, outcome.error);
            this.backOff(packageId);
            break;
          case 'pending':
            this.backOff(packageId);
            break;
          case 'busy':
            // Another try holds it: look again soon, without counting this as a failure.
            this.waits.set(packageId, { delayMs: wait?.delayMs ?? 0, dueAt: Date.now() + this.settings.retryMs });
            break;
          default:
            this.waits.delete(packageId);
        }
      }
    } catch (error) {
      this.again = true;
      log('the pending package signings could not be listed', null, error);
    }
  }
}

function log(message: string, packageId: string | null, cause: unknown): void {
  logLine('error', message, { packageId, cause: describeCause(cause) });
}
