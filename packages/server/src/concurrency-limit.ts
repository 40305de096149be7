import type { Socket } from 'node:net';
import type { Deadline } from '@hub/db';
import PQueue from 'p-queue';

/** How many GraphQL requests work at once, and how many may wait for their turn. */
export interface Concurrency {
  running: number;
  waiting: number;
}

/** Why a request got no turn: its time limit passed while it waited, or its client had gone by its turn. */
export type NoTurn = 'late' | 'gone';

/** A request's turn was refused (`Turn.take`): nothing of the work that asked for it ran. */
export class NoTurnError extends Error {
  constructor(readonly reason: NoTurn) {
    super(
      reason === 'late'
        ? 'The request waited for its turn past its time limit; nothing of it ran.'
        : 'The client closed its connection before the request had its turn; nothing of it ran.',
    );
    this.name = 'NoTurnError';
  }
}

/**
 * GraphQL requests work at most `running` at once; the next `waiting` wait for their turn in
 * the order they asked, and any more are refused as they arrive (docs/decisions/0047-requests-take-turns.md).
 *
 * Every request in a process shares its one thread. Run all at once, fifty requests hold fifty
 * requests' objects alive together: the collector copies and promotes more, and each request
 * costs more the more there are (a pipeline page, 38 a second at 2 connections, 17 at 50). Run
 * a few at a time, each is done sooner and the rest wait without costing anything.
 *
 * A request takes its turn when it first needs a subgraph (`Turn.take`, called by the gateway's
 * fetches), not as it arrives: one answered from kept answers takes none, and never waits
 * behind requests that work.
 */
export class ConcurrencyLimit {
  private readonly queue: PQueue;
  /** The turns being used now, by what makes their requests alike (`turn`). */
  private readonly alike = new Map<string, Alike>();
  /** The requests waiting in line, by what makes them alike: each joins one alike as it starts. */
  private readonly waitingAlike = new Map<string, Set<(group: Alike) => void>>();

  constructor(private readonly concurrency: Concurrency) {
    this.queue = new PQueue({ concurrency: concurrency.running });
  }

  /** Turns used now (requests alike, working in one turn, count once). */
  get running(): number {
    return this.queue.pending;
  }

  /** Requests waiting for their turn. */
  get waiting(): number {
    return this.queue.size;
  }

  /** Whether a request arriving now would find the line full: it is refused at once. */
  full(): boolean {
    return this.queue.size >= this.concurrency.waiting;
  }

  /**
   * The turn of one request, not taken yet. Its `take` waits until `running` turns are free of
   * those asked before it, and holds the turn until `end` is called, when the request's work
   * has ended, whenever it was answered. It is refused (NoTurnError) if `deadline` passes first,
   * or, once its turn comes, if its client has gone (`socket` closed): nobody would read it.
   *
   * A query the same as one working now (`alike` makes its key, asked only when a query takes
   * its turn: the same caller sending the same body) works
   * at once in that one's turn, which is held until the last of them has ended: their reads of
   * the subgraphs join those in flight (gateway/src/in-flight-reads.ts), so a crowd asking one
   * thing at once costs about what one of them costs, as it did without turns. Those alike
   * waiting in line join it as it starts. Only while the first of them works: then the turn
   * passes on (Alike).
   */
  turn(deadline: Deadline, socket: Socket | null, alike: () => string): Turn {
    let taken: Promise<void> | undefined;
    let end: (() => void) | undefined;
    let ended = false;
    /** Counts this request in `group`; one whose work has already ended counts straight out. */
    const enter = (group: Alike) => {
      end = group.join();
      if (ended) end();
    };
    const take = (): Promise<void> => {
      taken ??= (() => {
        if (ended) return Promise.resolve();
        // Only queries join: a mutation does its whole work whoever else sends the same.
        const key = deadline.operation === 'query' ? alike() : undefined;
        const running = key === undefined ? undefined : this.alike.get(key);
        if (running) {
          enter(running);
          return Promise.resolve();
        }
        return this.wait(deadline, socket, key, enter, () => {
          const group = new Alike(() => {
            if (key !== undefined && this.alike.get(key) === group) this.alike.delete(key);
          });
          enter(group);
          if (key !== undefined) {
            this.alike.set(key, group);
            // Those alike that wait in line behind it work now, in its turn.
            for (const join of this.waitingAlike.get(key) ?? []) join(group);
          }
          return group.ended;
        });
      })();
      return taken;
    };
    return {
      take,
      end: () => {
        if (ended) return;
        ended = true;
        end?.();
      },
    };
  }

  /**
   * Waits in line. At the turn, `start` begins the work and gives what the turn is held until;
   * a request alike (`key`) starting meanwhile lets this one `join` its turn instead.
   */
  private wait(deadline: Deadline, socket: Socket | null, key: string | undefined, join: (group: Alike) => void, start: () => Promise<void>): Promise<void> {
    let started = false;
    // Aborted only while the request waits: p-queue would free a turn in use too.
    const waited = new AbortController();
    const cancelTimer = deadline.whenExpired(() => {
      if (!started) waited.abort(new NoTurnError('late'));
    });
    return new Promise<void>((resolve, reject) => {
      const joinNow = (group: Alike) => {
        if (started) return;
        leaveLine();
        join(group);
        resolve();
        waited.abort(JOINED);
      };
      // Those alike waiting in line with this one, under their key.
      const alike = key === undefined ? undefined : { key, waiting: this.waitingAlike.get(key) ?? new Set<(group: Alike) => void>() };
      if (alike) {
        alike.waiting.add(joinNow);
        this.waitingAlike.set(alike.key, alike.waiting);
      }
      const leaveLine = () => {
        started = true;
        cancelTimer();
        if (!alike) return;
        alike.waiting.delete(joinNow);
        if (alike.waiting.size === 0 && this.waitingAlike.get(alike.key) === alike.waiting) this.waitingAlike.delete(alike.key);
      };
      const turn = () => {
        leaveLine();
        if (socket?.destroyed) throw new NoTurnError('gone');
        const held = start();
        resolve();
        return held;
      };
      this.queue.add(turn, { signal: waited.signal }).catch((error: unknown) => {
        if (error === JOINED) return;
        leaveLine();
        reject(error);
      });
    });
  }
}

/** Why a request left the line without its own turn: it joined one alike. */
const JOINED = new Error('joined a request alike in its turn');

/** One request's turn: `take` before its first work, `end` once all its work has ended. */
export interface Turn {
  take(): Promise<void>;
  end(): void;
}

/**
 * The requests alike that work in one turn: the first, whose turn it is, and those that joined
 * while it worked. Once the first has ended no more join, so a stream of requests alike holds
 * a turn for at most one request's time longer than a single one would; `ended` once the last
 * of them has.
 */
class Alike {
  private working = 0;
  private finish!: () => void;
  readonly ended = new Promise<void>((resolve) => (this.finish = resolve));

  /** `close` is called as the first ends, before anything else runs: no request may join after it. */
  constructor(private readonly close: () => void) {}

  /** Counts one more request in; the function returned counts it out (once). */
  join(): () => void {
    const first = this.working === 0;
    this.working += 1;
    let out = false;
    return () => {
      if (out) return;
      out = true;
      this.working -= 1;
      if (first) this.close();
      // The first counted in is among those still counted until it leaves: none joins after.
      if (this.working === 0) this.finish();
    };
  }
}
