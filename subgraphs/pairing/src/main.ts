import { runSubgraphMain } from '@hub/server';
import { pairingSubgraph } from './index.ts';

await runSubgraphMain(pairingSubgraph, 4103);
