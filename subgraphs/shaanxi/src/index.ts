import { fileURLToPath } from 'node:url';
import { draftAccess, loadSubgraphTypeDefs } from '@hub/common';
import type { SubgraphModule } from '@hub/server';
import { createLoaders, type ShaanxiContext } from './loaders.ts';
import { resolvers } from './resolvers/index.ts';
import { seedShaanxiDemo } from './demo.ts';
import { seedShaanxi } from './seed.ts';
import { FundsStore } from './store/funds-store.ts';
import { ShaanxiStore } from './store/shaanxi-store.ts';

export type { ShaanxiContext } from './loaders.ts';
export { ShaanxiStore } from './store/shaanxi-store.ts';

/** The Shaanxi subgraph as a value: the gateway runs it in-process, `main.ts` over HTTP. */
export const shaanxiSubgraph: SubgraphModule<ShaanxiContext> = {
  name: 'shaanxi',
  typeDefs: loadSubgraphTypeDefs(new URL('../schema.graphql', import.meta.url)),
  resolvers,
  dbSchema: 'shaanxi',
  migrationsFolder: fileURLToPath(new URL('../drizzle', import.meta.url)),
  async seed(db, { demo, demoScale }) {
    await seedShaanxi(db);
    if (demo) await seedShaanxiDemo(db, demoScale);
  },
  createContext(db, identity, peers) {
    const store = new ShaanxiStore(db, draftAccess(identity));
    const funds = new FundsStore(db);
    return { store, funds, loaders: createLoaders(store, funds), identity, peers };
  },
};
