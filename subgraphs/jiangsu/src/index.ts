import { fileURLToPath } from 'node:url';
import { loadSubgraphTypeDefs } from '@hub/common';
import { keyedTables } from '@hub/db';
import type { SubgraphModule } from '@hub/server';
import { createLoaders, type JiangsuContext } from './loaders.ts';
import { resolvers } from './resolvers/index.ts';
import { seedJiangsuDemo } from './demo.ts';
import { seedJiangsu } from './seed.ts';
import { FundingStore } from './store/funding-store.ts';
import { GivingProfileStore } from './store/giving-profile-store.ts';
import { InterestStore } from './store/interest-store.ts';
import { JiangsuStore } from './store/jiangsu-store.ts';
import { fundingAccounts, fundingEntries, fundingProjectTotals, fundingYearSums } from './db/schema.ts';

export type { JiangsuContext } from './loaders.ts';

/** The Jiangsu subgraph as a value: the gateway runs it in-process, `main.ts` over HTTP. */
export const jiangsuSubgraph: SubgraphModule<JiangsuContext> = {
  name: 'jiangsu',
  typeDefs: loadSubgraphTypeDefs(new URL('../schema.graphql', import.meta.url)),
  resolvers,
  dbSchema: 'jiangsu',
  migrationsFolder: fileURLToPath(new URL('../drizzle', import.meta.url)),
  // A pledge writes one project's books: what is kept of the others' stays. A project entity's
  // fields read these tables by its own id alone, as a peer's entities are kept one by one
  // (docs/decisions/0049-entities-kept-one-by-one.md): a field that read another project's rows
  // of them would be given stale after a write of those.
  versionedByKey: keyedTables([fundingAccounts.projectId, fundingProjectTotals.projectId, fundingEntries.projectId, fundingYearSums.projectId]),
  async seed(db, { demo, demoScale }) {
    await seedJiangsu(db);
    if (demo) await seedJiangsuDemo(db, demoScale);
  },
  createContext(db, identity, peers) {
    const store = new JiangsuStore(db);
    const funding = new FundingStore(db);
    const profiles = new GivingProfileStore(db);
    const interests = new InterestStore(db);
    return { store, funding, profiles, interests, loaders: createLoaders(store, funding, profiles, interests), identity, peers };
  },
};
