import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { PackageForPrint } from './package-document.ts';
import type { RenderReply, RenderRequest } from './render-worker.ts';

/** What prints a package: the worker pool in the hub, a wrapped one in tests. */
export interface PdfRenderer {
  /** How many renders it runs at once; the printer lets no more than this in. */
  readonly concurrency: number;
  render(pkg: PackageForPrint): Promise<Buffer>;
  /** Ends its threads; a render not finished is refused. */
  close(): Promise<void>;
}

/**
 * Compiled, the thread runs the compiled render-worker.js; from the sources (tests, `npm run
 * dev`), render-worker.mjs, which has tsx load the TypeScript.
 */
const WORKER_ENTRY = new URL(import.meta.url.endsWith('.ts') ? './render-worker.mjs' : './render-worker.js', import.meta.url);
/** Enough for a package of thousands of lines; a render that needs more ends its thread, not the hub. */
const WORKER_HEAP_MB = 256;

interface Job {
  pkg: PackageForPrint;
  resolve(pdf: Buffer): void;
  reject(error: Error): void;
}

/**
 * Renders packages on worker threads, so that a render (hundreds of milliseconds of CPU for
 * a package of a few dozen lines) never holds the event loop that answers every other
 * request. Threads are started on the first render and kept, with their fonts open, until
 * `close`; they are unref'd, so an idle one never keeps the process alive. One thread on a
 * machine of two cores or fewer (the other stays the event loop's), else two. A thread that
 * fails refuses the render it had and is replaced on the next.
 */
export class PdfWorkerPool implements PdfRenderer {
  readonly concurrency: number;
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Job>();
  private readonly queue: Job[] = [];
  /** Every thread started and not yet exited. */
  private readonly running = new Set<Worker>();
  private closed = false;

  constructor(concurrency = Math.max(1, Math.min(2, availableParallelism() - 1))) {
    this.concurrency = concurrency;
  }

  /** Threads started and not yet exited: for tests. */
  get threads(): number {
    return this.running.size;
  }

  render(pkg: PackageForPrint): Promise<Buffer> {
    if (this.closed) return Promise.reject(new Error('the PDF renderer is stopped'));
    return new Promise((resolve, reject) => {
      this.queue.push({ pkg, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const stopped = new Error('the PDF renderer stopped before the render finished');
    for (const job of this.queue.splice(0)) job.reject(stopped);
    const workers = [...this.idle.splice(0), ...this.busy.keys()];
    for (const job of this.busy.values()) job.reject(stopped);
    this.busy.clear();
    await Promise.all(workers.map((worker) => worker.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let worker = this.idle.pop();
      if (!worker) {
        if (this.idle.length + this.busy.size >= this.concurrency) return;
        worker = this.start();
      }
      const job = this.queue.shift()!;
      this.busy.set(worker, job);
      worker.postMessage({ pkg: job.pkg } satisfies RenderRequest);
    }
  }

  private start(): Worker {
    const worker = new Worker(WORKER_ENTRY, { resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
    worker.unref();
    this.running.add(worker);
    worker.on('message', (reply: RenderReply) => {
      const job = this.busy.get(worker);
      if (!job) return;
      this.busy.delete(worker);
      this.idle.push(worker);
      if ('pdf' in reply) job.resolve(Buffer.from(reply.pdf.buffer, reply.pdf.byteOffset, reply.pdf.byteLength));
      else job.reject(new Error(`rendering the package failed: ${reply.error}`));
      this.dispatch();
    });
    const lost = (error: Error) => {
      const idleAt = this.idle.indexOf(worker);
      if (idleAt >= 0) this.idle.splice(idleAt, 1);
      const job = this.busy.get(worker);
      this.busy.delete(worker);
      job?.reject(error);
      if (!this.closed) this.dispatch();
    };
    worker.on('error', (error) => lost(new Error('a PDF render thread failed', { cause: error })));
    worker.on('exit', (code) => {
      this.running.delete(worker);
      lost(new Error(`a PDF render thread ended (exit code ${code})`));
    });
    return worker;
  }
}
