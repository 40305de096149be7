import { runSubgraphMain } from '@hub/server';
import { shaanxiSubgraph } from './index.ts';

await runSubgraphMain(shaanxiSubgraph, 4101);
