import { Deadline, runWithDeadline, type Db } from '@hub/db';
import type { BackgroundSettings, BackgroundTask, Peers } from '@hub/server';
import { describeCause, SigningService } from './signing-service.ts';
import { PackageStore } from './store/package-store.ts';
import { SigningStore } from './store/signing-store.ts';

/**
 * Finishes signings left pending (docs/decisions/0023-signing-a-package.md): at start, which
 * picks up whatever a crash left, and then every `retryMs` while any signing is pending. It
 * does not poll while none is: a request that leaves a signing pending wakes it. Each try
 * claims its signing first, so two processes on one database never run the same step at once.
 */
export class SigningRecovery implements BackgroundTask {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private readonly service: SigningService;

  constructor(
    db: Db,
    peers: Peers,
    private readonly settings: BackgroundSettings,
  ) {
    this.service = new SigningService({
      packages: new PackageStore(db),
      signing: new SigningStore(db),
      peers,
      claimMs: this.claimMs,
      onPending: () => this.wake(),
    });
  }

  /**
   * A try runs under a time limit as a request does, so a claim twice that long is never taken
   * over from a try still running; one left by a crashed process runs out after that long.
   */
  get claimMs(): number {
    return 2 * this.settings.tryTimeoutMs;
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

  /** Asks for a pass soon: a signing was left pending in this process. */
  wake(): void {
    this.schedule(this.settings.retryMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.pass().finally(() => {
        this.running = undefined;
        const again = this.again;
        this.again = false;
        if (again) this.schedule(this.settings.retryMs);
      });
    }, delayMs);
    // Pending work never keeps a process alive that is otherwise done.
    this.timer.unref();
  }

  /** Tries every pending signing once; asks for another pass while any stays pending. */
  private async pass(): Promise<void> {
    try {
      const pending = await this.service.pendingPackageIds();
      for (const packageId of pending) {
        if (this.stopped) return;
        const outcome = await runWithDeadline(Deadline.after(this.settings.tryTimeoutMs), () => this.service.tryOnce(packageId)).catch(
          (error: unknown) => ({ type: 'failed' as const, error }),
        );
        if (outcome.type === 'pending' || outcome.type === 'busy' || outcome.type === 'failed') this.again = true;
        if (outcome.type === 'failed') log('a try of a pending package signing failed', packageId, outcome.error);
      }
    } catch (error) {
      this.again = true;
      log('the pending package signings could not be listed', null, error);
    }
  }
}

function log(message: string, packageId: string | null, cause: unknown): void {
  process.stderr.write(
    `${JSON.stringify({ level: 'error', time: new Date().toISOString(), message, packageId, cause: describeCause(cause) })}\n`,
  );
}
