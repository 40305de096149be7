import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '@hub/db';

/**
 * `npm test` runs on the database `npm start` runs on: one embedded Postgres server for the
 * whole run, in which each test file creates a database of its own (as it does on a Postgres
 * server named by TEST_DATABASE_URL). TEST_EMBEDDED_DATABASE=pglite runs the suite on PGlite
 * instead (in memory, and in the data folders of the hub processes tests start);
 * TEST_DATABASE_URL on that server.
 */
export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  if (process.env.TEST_DATABASE_URL) return undefined;
  const engine = process.env.TEST_EMBEDDED_DATABASE ?? 'postgres';
  if (engine === 'pglite') {
    // And the hub processes tests start keep their folders in PGlite too.
    process.env.EMBEDDED_DATABASE = 'pglite';
    return undefined;
  }
  if (engine !== 'postgres') throw new Error(`TEST_EMBEDDED_DATABASE must be postgres or pglite; got "${engine}"`);

  const folder = mkdtempSync(join(tmpdir(), 'hub-test-server-'));
  // Under root the server runs as "postgres", which must pass through this folder.
  chmodSync(folder, 0o711);
  const server = await startEmbeddedPostgres(join(folder, 'data', 'postgres'));
  // Test files run in processes forked after this, which inherit the environment.
  process.env.TEST_DATABASE_URL = server.url;
  return async () => {
    await server.stop();
    rmSync(folder, { recursive: true, force: true });
  };
}
