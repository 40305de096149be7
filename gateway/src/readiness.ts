import type { Database } from '@hub/db';
import { databaseAnswers, type RunningSubgraph } from '@hub/server';
import type { SubgraphName } from './subgraphs.ts';

/** What the gateway's readiness probe reports: the parts that are down, by name, and each subgraph's state. */
export interface HubReadiness {
  down: string[];
  subgraphs: string[] | Record<string, string>;
}

/** Readiness of the subgraphs running in this process: their databases answer. */
export async function inProcessReadiness(subgraphs: Partial<Record<SubgraphName, RunningSubgraph<object>>>): Promise<HubReadiness> {
  return { down: await databasesDown(subgraphs), subgraphs: Object.keys(subgraphs) };
}

/** `database:<subgraph>` for each in-process subgraph whose database does not answer. */
async function databasesDown(subgraphs: Partial<Record<SubgraphName, RunningSubgraph<object>>>): Promise<string[]> {
  // Subgraphs sharing one database are probed once.
  const probes = new Map<Database, Promise<boolean>>();
  const down: string[] = [];
  for (const [name, subgraph] of Object.entries(subgraphs)) {
    let probe = probes.get(subgraph.database);
    if (!probe) {
      probe = databaseAnswers(subgraph.database, `database:${name}`);
      probes.set(subgraph.database, probe);
    }
    if (!(await probe)) down.push(`database:${name}`);
  }
  return down;
}

/** Each remote subgraph's /readyz: `subgraph:<name>` is down when it is unreachable or not ready. */
export async function remoteReadiness(urls: Record<string, string>): Promise<HubReadiness & { subgraphs: Record<string, string> }> {
  const subgraphs: Record<string, string> = {};
  const down: string[] = [];
  await Promise.all(
    Object.entries(urls).map(async ([name, url]) => {
      try {
        const response = await fetch(new URL('/readyz', url), { signal: AbortSignal.timeout(2000) });
        subgraphs[name] = response.ok ? 'ok' : 'not ready';
        if (!response.ok) down.push(`subgraph:${name}`);
      } catch {
        subgraphs[name] = 'unreachable';
        down.push(`subgraph:${name}`);
      }
    }),
  );
  return { down: down.sort(), subgraphs };
}
