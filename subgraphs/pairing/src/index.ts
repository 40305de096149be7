import { fileURLToPath } from 'node:url';
import { draftAccess, loadSubgraphTypeDefs, madeOnUse } from '@hub/common';
import type { Db } from '@hub/db';
import type { SubgraphModule } from '@hub/server';
import { SigningRecovery } from './signing-recovery.ts';
import { SigningStore } from './store/signing-store.ts';
import { loaderFactories, packageLoaderFactories, type PairingContext, type PairingLoaders } from './loaders.ts';
import { resolvers } from './resolvers/index.ts';
import { seedPairingDemo } from './demo.ts';
import { seedPairing } from './seed.ts';
import { PairingStore } from './store/pairing-store.ts';
import { PipelineStore } from './store/pipeline-store.ts';
import { matchLoaderFactories } from './match-ranking.ts';
import { PackageStore } from './store/package-store.ts';
import { CeremonyStore } from './store/ceremony-store.ts';
import { TargetsStore } from './store/targets-store.ts';
import { TrackingStore } from './store/tracking-store.ts';
import { trackingLoaderFactories } from './tracking-loaders.ts';

export type { PairingContext } from './loaders.ts';
export { PipelineService, type MoveProjectInput } from './pipeline-service.ts';
export { PackageStore, type PackageRow, type PackageLineRow, type PackageWithLines } from './store/package-store.ts';

/**
 * The recovery of pending signings running for each database in this process: a request that
 * leaves a signing pending finds it by the database it works on and wakes it.
 */
const recoveries = new WeakMap<Db, SigningRecovery>();

/** The pairing subgraph as a value: the gateway runs it in-process, `main.ts` over HTTP. */
export const pairingSubgraph: SubgraphModule<PairingContext> = {
  name: 'pairing',
  typeDefs: loadSubgraphTypeDefs(new URL('../schema.graphql', import.meta.url)),
  resolvers,
  dbSchema: 'pairing',
  migrationsFolder: fileURLToPath(new URL('../drizzle', import.meta.url)),
  async seed(db, { demo, demoScale }) {
    await seedPairing(db);
    if (demo) await seedPairingDemo(db, demoScale);
  },
  createContext(db, identity, peers) {
    const store = new PairingStore(db);
    const pipeline = new PipelineStore(db, draftAccess(identity));
    const packages = new PackageStore(db);
    const ceremonies = new CeremonyStore(db);
    const targets = new TargetsStore(db);
    const own = loaderFactories(store, pipeline);
    const loaders: PairingLoaders = madeOnUse({
      ...own,
      ...packageLoaderFactories({ store, packages, ceremonies, peers }, own.ceremony),
      ...trackingLoaderFactories(targets, new TrackingStore(db), peers),
      ...matchLoaderFactories(pipeline, peers),
    });
    const signing = new SigningStore(db);
    return { store, pipeline, packages, ceremonies, targets, signing, signingRecovery: recoveries.get(db) ?? null, loaders, identity, peers };
  },
  async startBackground(db, peers, settings) {
    const recovery = await new SigningRecovery(db, peers, settings).start();
    recoveries.set(db, recovery);
    return {
      async stop() {
        if (recoveries.get(db) === recovery) recoveries.delete(db);
        await recovery.stop();
      },
    };
  },
};
