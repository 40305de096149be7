import { createHash } from 'node:crypto';
import { DeadlineExceededError, type Deadline } from '@hub/db';
import type { PackageForPrint } from './package-document.ts';
import type { PdfRenderer } from './render-pool.ts';

/** Renders waiting for a free render thread before more are refused. */
export const DEFAULT_RENDERS_WAITING = 8;
/** Signed packages whose PDF is kept. */
export const DEFAULT_CACHED_PACKAGES = 32;

/** Every render thread is busy and the waiting line is full: the caller is to retry shortly. */
export class PrinterBusyError extends Error {
  constructor(readonly running: number, readonly waiting: number) {
    super(`all ${running} PDF renders are running and ${waiting} are waiting`);
    this.name = 'PrinterBusyError';
  }
}

/**
 * Prints packages for the route: at most as many renders at once as the renderer runs, a
 * short line of waiting ones, and past it a refusal (PrinterBusyError) rather than an ever
 * longer wait, so a burst of requests costs the hub a bounded amount of work.
 *
 * A signed package is public and final, so its PDF is kept (the most recently printed
 * `cachedPackages` of them) and printed once however many ask at the same time. It is keyed
 * by the package, its content hash and a digest of everything read from the graph for it:
 * a name in the printout comes from another book and may be corrected after the signing, and
 * then the package prints anew. A package not yet signed is for its offices and signatories
 * only, and is never kept.
 */
export class PackagePrinter {
  private readonly waiting: { start(): void; cancel(): void }[] = [];
  private running = 0;
  private readonly cache = new Map<string, Buffer>();
  private readonly printing = new Map<string, Promise<Buffer>>();

  constructor(
    private readonly renderer: PdfRenderer,
    private readonly options: { rendersWaiting?: number; cachedPackages?: number; ownsRenderer?: boolean } = {},
  ) {}

  /**
   * The package's PDF. A render still waiting when `deadline` passes is dropped from the line
   * (DeadlineExceededError): nobody is left to answer with it.
   */
  async print(pkg: PackageForPrint, deadline?: Deadline): Promise<Buffer> {
    const key = cacheKeyOf(pkg);
    if (key === null) return this.limited(() => this.renderer.render(pkg), deadline);
    const kept = this.kept(key);
    if (kept) return kept;
    let printing = this.printing.get(key);
    if (!printing) {
      // Shared by everyone asking meanwhile, so not bound to the first one's deadline.
      printing = this.limited(() => this.renderer.render(pkg)).then((pdf) => {
        this.keep(key, pdf);
        return pdf;
      });
      const settled = () => this.printing.delete(key);
      printing.then(settled, settled);
      this.printing.set(key, printing);
    }
    return printing;
  }

  /** The PDF already printed for this signed package, if it is kept; never renders. */
  printed(pkg: PackageForPrint): Buffer | undefined {
    const key = cacheKeyOf(pkg);
    return key === null ? undefined : this.kept(key);
  }

  async close(): Promise<void> {
    for (const waiter of this.waiting.splice(0)) waiter.cancel();
    if (this.options.ownsRenderer !== false) await this.renderer.close();
  }

  private async limited(render: () => Promise<Buffer>, deadline?: Deadline): Promise<Buffer> {
    if (this.running >= this.renderer.concurrency) {
      const limit = this.options.rendersWaiting ?? DEFAULT_RENDERS_WAITING;
      if (this.waiting.length >= limit) throw new PrinterBusyError(this.renderer.concurrency, limit);
      // The render that ends hands its place to the first one waiting (`running` stays).
      await new Promise<void>((resolve, reject) => {
        let stopTimer = () => {};
        const waiter = {
          start: () => {
            stopTimer();
            resolve();
          },
          cancel: () => {
            stopTimer();
            reject(new Error('the printer stopped'));
          },
        };
        stopTimer = deadline?.whenExpired(() => {
          this.waiting.splice(this.waiting.indexOf(waiter), 1);
          reject(new DeadlineExceededError());
        }) ?? stopTimer;
        this.waiting.push(waiter);
      });
    } else {
      this.running += 1;
    }
    try {
      return await render();
    } finally {
      const next = this.waiting.shift();
      if (next) next.start();
      else this.running -= 1;
    }
  }

  private kept(key: string): Buffer | undefined {
    const pdf = this.cache.get(key);
    if (pdf) {
      // Most recently used last: the first entry is the one to drop.
      this.cache.delete(key);
      this.cache.set(key, pdf);
    }
    return pdf;
  }

  private keep(key: string, pdf: Buffer): void {
    this.cache.set(key, pdf);
    const limit = this.options.cachedPackages ?? DEFAULT_CACHED_PACKAGES;
    while (this.cache.size > limit) this.cache.delete(this.cache.keys().next().value!);
  }
}

/** What a signed package's PDF is kept under; null for a package that is not kept. */
function cacheKeyOf(pkg: PackageForPrint): string | null {
  if (pkg.status !== 'SIGNED' || !pkg.contentHash) return null;
  // The answer's fields come in the fixed order of PACKAGE_FOR_PRINT: the same data, the same text.
  const read = createHash('sha256').update(JSON.stringify(pkg)).digest('hex');
  return `${pkg.id} ${pkg.contentHash} ${read}`;
}
