import { randomUUID } from 'node:crypto';
import type { Identity } from '@hub/common';
import { signIdentity } from '@hub/server';
import { mintToken } from '../gateway/src/auth.ts';
import { readHubConfig } from '../gateway/src/config.ts';
import type { DataShape } from './operations.ts';
import { table } from './report.ts';
import { INTERNAL_SECRET, isEngineSystem, isPeer, type RunningSystem, type SystemName } from './systems.ts';

/**
 * The write mix that runs while reads are measured: foundation pledges of 1 fen, at a steady
 * rate, round the projects that take pledges. Each is a committed write in the Jiangsu books
 * that changes what the reads showing its project's money answer (pledged money, funding gaps,
 * the funnel's sums): a response cache must not give an answer from before it, and a read
 * joined in flight must not hand one on.
 */
export const PLEDGE = /* GraphQL */ `
  mutation BenchPledge($input: FundingEntryInput!) {
    recordPledge(input: $input) { id }
  }
`;

/** Where a system's writes go, and how they are signed. */
export type WriteRoute =
  /** The hub: through its own gateway, with a foundation member's token. */
  | { kind: 'gateway'; url: string }
  /** A peer: straight to the Jiangsu subgraph service it routes to, signed as the gateway would sign it. */
  | { kind: 'subgraph'; url: string; internalSecret: string };

export interface WriteTally {
  sent: number;
  failed: number;
  /** The first failure's answer, to say why. */
  firstFailure: string | undefined;
  /** Milliseconds per write, mean and slowest. */
  meanMs: number;
  maxMs: number;
}

export interface Writer {
  /** Stops sending, waits for the writes in flight and says how they went. */
  stop(): Promise<WriteTally>;
}

/**
 * Sends `perSecond` pledges a second by `organizationId` to `projectIds` in turn until stopped.
 * A write that fails is counted, not retried: the figures beside it say so.
 */
export async function startWriter(route: WriteRoute, organizationId: string, projectIds: string[], perSecond: number): Promise<Writer> {
  const identity: Identity = { role: 'FOUNDATION_MEMBER', subject: 'bench-writer', organizationId };
  const authorize = await authorizer(route, identity);
  const tally: WriteTally = { sent: 0, failed: 0, firstFailure: undefined, meanMs: 0, maxMs: 0 };
  let totalMs = 0;
  const inFlight = new Set<Promise<void>>();
  let next = 0;
  const send = async () => {
    const projectId = projectIds[next++ % projectIds.length] as string;
    const body = JSON.stringify({
      query: PLEDGE,
      variables: { input: { projectId, organizationId, amount: { fen: 1 }, idempotencyKey: `bench-${randomUUID()}`, note: 'bench' } },
    });
    const began = performance.now();
    let failure: string | undefined;
    try {
      const response = await fetch(route.url, { method: 'POST', headers: { 'content-type': 'application/json', ...(await authorize(body)) }, body });
      const text = await response.text();
      if (!response.ok || text.includes('"errors"')) failure = `${response.status} ${text.slice(0, 300)}`;
    } catch (error) {
      failure = (error as Error).message;
    }
    const took = performance.now() - began;
    tally.sent += 1;
    totalMs += took;
    tally.maxMs = Math.max(tally.maxMs, took);
    if (failure) {
      tally.failed += 1;
      tally.firstFailure ??= failure;
    }
  };
  const timer = setInterval(() => {
    const write = send().finally(() => inFlight.delete(write));
    inFlight.add(write);
  }, 1000 / perSecond);
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all(inFlight);
      tally.meanMs = tally.sent > 0 ? totalMs / tally.sent : 0;
      return tally;
    },
  };
}

async function authorizer(route: WriteRoute, identity: Identity): Promise<(body: string) => Promise<Record<string, string>>> {
  if (route.kind === 'subgraph') {
    return (body) => signIdentity(identity, { secret: route.internalSecret, audience: 'jiangsu', body });
  }
  // The bench's hubs run with NODE_ENV=development and no JWT settings: the development key.
  const { auth } = readHubConfig({ NODE_ENV: 'development' });
  if (auth.key.kind !== 'secret') throw new Error('the hub\'s development settings verify tokens with a public key; the bench signs with a secret');
  const token = await mintToken({
    secret: auth.key.secret,
    issuer: auth.issuer,
    audience: auth.audience,
    role: identity.role,
    subject: identity.subject as string,
    organizationId: identity.organizationId,
    expiresIn: '1h',
  });
  return async () => ({ authorization: `Bearer ${token}` });
}

/**
 * The write mix of a run: while each read of a system is measured, `perSecond` pledges go to
 * that system's own data — through the hub's gateway for the hub, to the Jiangsu subgraph
 * service for the peers (which share it). The engines alone take reads only: they forward no
 * caller, so nothing may write through them.
 */
export class WriteMix {
  private readonly tallies = new Map<SystemName, WriteTally[]>();

  constructor(
    private readonly perSecond: number,
    private readonly shape: Pick<DataShape, 'foundationId' | 'pledgeableProjectIds'>,
    private readonly jiangsuUrl: string | undefined,
  ) {}

  async during<T>(system: RunningSystem, measure: () => Promise<T>): Promise<T> {
    const route = this.routeOf(system.name, system.url);
    if (!route || this.perSecond === 0) return measure();
    const writer = await startWriter(route, this.shape.foundationId, this.shape.pledgeableProjectIds, this.perSecond);
    try {
      return await measure();
    } finally {
      const tally = await writer.stop();
      this.tallies.set(system.name, [...(this.tallies.get(system.name) ?? []), tally]);
    }
  }

  report(systems: RunningSystem[]): string {
    if (this.perSecond === 0) return 'Write mix: none (--writes 0): reads alone.';
    const rows = systems.map(({ name }) => {
      const tallies = this.tallies.get(name) ?? [];
      const sent = tallies.reduce((sum, tally) => sum + tally.sent, 0);
      if (sent === 0) return [name, isEngineSystem(name) ? 'none (reads only)' : 'none', '', '', '', ''];
      const failed = tallies.reduce((sum, tally) => sum + tally.failed, 0);
      const mean = tallies.reduce((sum, tally) => sum + tally.meanMs * tally.sent, 0) / sent;
      const slowest = Math.max(...tallies.map((tally) => tally.maxMs));
      const why = tallies.find((tally) => tally.firstFailure)?.firstFailure ?? '';
      return [name, isPeer(name) ? 'the Jiangsu subgraph service' : 'its gateway', String(sent), String(failed), `${mean.toFixed(0)} / ${slowest.toFixed(0)}`, why.slice(0, 120)];
    });
    return (
      `Write mix: ${this.perSecond} pledges of 1 fen a second by ${this.shape.foundationId} (a foundation member), round ` +
      `${this.shape.pledgeableProjectIds.length} projects that take pledges, while each read was measured:\n` +
      table(['system', 'written through', 'writes', 'failed', 'mean / slowest ms', 'first failure'], rows)
    );
  }

  private routeOf(name: SystemName, url: string): WriteRoute | undefined {
    if (isEngineSystem(name)) return undefined;
    if (!isPeer(name)) return { kind: 'gateway', url };
    if (!this.jiangsuUrl) throw new Error('the peers run without a Jiangsu subgraph service');
    return { kind: 'subgraph', url: this.jiangsuUrl, internalSecret: INTERNAL_SECRET };
  }
}
