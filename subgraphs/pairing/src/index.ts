import { fileURLToPath } from 'node:url';
import { draftAccess, loadSubgraphTypeDefs } from '@hub/common';
import type { SubgraphModule } from '@hub/server';
import { createLoaders, type PairingContext } from './loaders.ts';
import { resolvers } from './resolvers/index.ts';
import { seedPairingDemo } from './demo.ts';
import { seedPairing } from './seed.ts';
import { PairingStore } from './store/pairing-store.ts';
import { PipelineStore } from './store/pipeline-store.ts';

export type { PairingContext } from './loaders.ts';
export { PipelineService, type MoveProjectInput } from './pipeline-service.ts';

/** The pairing subgraph as a value: the gateway runs it in-process, `main.ts` over HTTP. */
export const pairingSubgraph: SubgraphModule<PairingContext> = {
  name: 'pairing',
  typeDefs: loadSubgraphTypeDefs(new URL('../schema.graphql', import.meta.url)),
  resolvers,
  dbSchema: 'pairing',
  migrationsFolder: fileURLToPath(new URL('../drizzle', import.meta.url)),
  async seed(db, { demo }) {
    await seedPairing(db);
    if (demo) await seedPairingDemo(db);
  },
  createContext(db, identity, peers) {
    const store = new PairingStore(db);
    const pipeline = new PipelineStore(db, draftAccess(identity));
    return { store, pipeline, loaders: createLoaders(store, pipeline), identity, peers };
  },
};
