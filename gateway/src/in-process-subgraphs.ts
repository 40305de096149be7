import type { Database } from '@hub/db';
import { PeerDirectory, inProcessTransport, startSubgraph, type HubLogger, type HubMetrics, type PeerTransport, type RunningSubgraph, type SeedOptions } from '@hub/server';
import { SUBGRAPH_MODULES } from './subgraph-modules.ts';
import { SUBGRAPHS, type SubgraphName } from './subgraphs.ts';

/** Starts the three subgraphs in this process on the given databases (migrated and seeded). */
export async function startInProcessSubgraphs(
  databases: Record<SubgraphName, Database>,
  peers: PeerDirectory = new PeerDirectory(),
  options: SeedOptions & {
    metrics?: HubMetrics;
    logger?: HubLogger;
    /** Wraps each subgraph's in-process way to its peers (the fetch cache keeps their reads). */
    peerReads?: (subgraph: SubgraphName, transport: PeerTransport) => PeerTransport;
  } = { demo: false },
): Promise<Record<SubgraphName, RunningSubgraph<object>>> {
  // One after the other: start-up is not the hot path, and the logs stay in order.
  const running: Record<SubgraphName, RunningSubgraph<object>> = {
    shaanxi: anyContext(await startSubgraph(SUBGRAPH_MODULES.shaanxi, databases.shaanxi, peers.for('shaanxi'), options)),
    jiangsu: anyContext(await startSubgraph(SUBGRAPH_MODULES.jiangsu, databases.jiangsu, peers.for('jiangsu'), options)),
    pairing: anyContext(await startSubgraph(SUBGRAPH_MODULES.pairing, databases.pairing, peers.for('pairing'), options)),
  };
  for (const { name } of SUBGRAPHS) {
    const transport = inProcessTransport(running[name]);
    peers.register(name, options.peerReads ? options.peerReads(name, transport) : transport);
  }
  return running;
}

/**
 * Past this point a running subgraph's context is opaque: the hub only passes the context a
 * subgraph made back into that same subgraph's server, so its type no longer matters. The
 * compiler cannot see that (a server is invariant in its context), hence this one widening.
 */
function anyContext<TContext extends object>(subgraph: RunningSubgraph<TContext>): RunningSubgraph<object> {
  return subgraph as unknown as RunningSubgraph<object>;
}
