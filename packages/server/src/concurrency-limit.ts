import type { Socket } from 'node:net';
import type { Deadline } from '@hub/db';
import PQueue from 'p-queue';

/** How many GraphQL requests a process runs at once, and how many may wait for their turn. */
export interface Concurrency {
  running: number;
  waiting: number;
}

/**
 * Why a request was not run: the line was full, its time limit passed while it waited, or its
 * client had gone by its turn.
 */
export type NoTurn = 'full' | 'late' | 'gone';

/**
 * GraphQL requests run at most `running` at once; the next `waiting` wait for their turn in the
 * order they came, and any more are refused at once (docs/decisions/0047-requests-take-turns.md).
 *
 * Every request in a process shares its one thread. Run all at once, fifty requests hold fifty
 * requests' objects alive together: the collector copies and promotes more, and each request
 * costs more the more there are (a pipeline page, 38 a second at 2 connections, 17 at 50). Run
 * a few at a time, each is done sooner and the rest wait without costing anything.
 */
export class ConcurrencyLimit {
  private readonly queue: PQueue;
  /** The requests running now, by what makes them alike (`run`). */
  private readonly alike = new Map<string, Alike>();

  constructor(
    private readonly concurrency: Concurrency,
    /** The error a request is refused with (the HTTP layer's answer). */
    private readonly refusal: (reason: NoTurn) => Error,
  ) {
    this.queue = new PQueue({ concurrency: concurrency.running });
  }

  /** Turns taken now (requests alike, running in one turn, count once). */
  get running(): number {
    return this.queue.pending;
  }

  /** Requests waiting for their turn. */
  get waiting(): number {
    return this.queue.size;
  }

  /**
   * Runs `work` when its turn comes, and holds the turn until `work` has ended, whenever the
   * request is answered. Refused, with nothing run, when the line is full, or when `deadline`
   * passes before the turn comes. A request whose client has gone (`socket` closed) by its turn
   * is refused then: nobody would read its answer.
   *
   * A request the same as one running now (`alike`: the same caller sending the same body) runs
   * at once beside it, in its turn, which is held until the last of them has ended: their reads
   * of the subgraphs join those in flight (gateway/src/in-flight-reads.ts), so a crowd asking
   * one thing at once costs about what one of them costs, as it did without turns.
   */
  run<T>(deadline: Deadline, socket: Socket | null, alike: string | undefined, work: () => Promise<T>): Promise<T> {
    const running = alike === undefined ? undefined : this.alike.get(alike);
    if (running) return running.join(work);
    const mustWait = this.queue.pending >= this.concurrency.running;
    if (mustWait && this.queue.size >= this.concurrency.waiting) return Promise.reject(this.refusal('full'));
    let started = false;
    // Aborted only while the request waits: p-queue would free a running request's turn too.
    const waited = new AbortController();
    const cancelTimer = mustWait
      ? deadline.whenExpired(() => {
          if (!started) waited.abort(this.refusal('late'));
        })
      : () => {};
    return new Promise<T>((resolve, reject) => {
      const turn = () => {
        started = true;
        cancelTimer();
        if (socket?.destroyed) throw this.refusal('gone');
        const group = new Alike(() => alike !== undefined && this.alike.delete(alike));
        if (alike !== undefined) this.alike.set(alike, group);
        group.join(work).then(resolve, reject);
        return group.ended;
      };
      this.queue.add(turn, { signal: waited.signal }).catch((error: unknown) => {
        cancelTimer();
        reject(error);
      });
    });
  }
}

/** The requests alike that run in one turn; `ended` once the last of them has. */
class Alike {
  private running = 0;
  private end!: () => void;
  readonly ended = new Promise<void>((resolve) => (this.end = resolve));

  /** `over` is called as the last one ends, before anything else runs: no request may join then. */
  constructor(private readonly over: () => void) {}

  async join<T>(work: () => Promise<T>): Promise<T> {
    this.running += 1;
    try {
      return await work();
    } finally {
      this.running -= 1;
      if (this.running === 0) {
        this.over();
        this.end();
      }
    }
  }
}
