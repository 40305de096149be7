import { runSubgraphMain } from '@hub/server';
import { jiangsuSubgraph } from './index.ts';

await runSubgraphMain(jiangsuSubgraph, 4102);
