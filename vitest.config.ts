import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // graphql ships CommonJS and ESM builds; Node (and so Apollo) loads the CommonJS one.
    // Our own sources must get the same copy, or `instanceof GraphQLError` fails across them.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['test/**/*.test.ts', 'gateway/src/**/*.test.ts', 'subgraphs/*/src/**/*.test.ts', 'packages/*/src/**/*.test.ts'],
    // The compiled build `npm start` runs, and one embedded Postgres server for the run; each
    // test file makes its own database in it.
    globalSetup: ['test/support/compiled-build.ts', 'test/support/embedded-server.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
