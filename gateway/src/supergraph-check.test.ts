import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '@hub/server';
import { readHubConfig } from './config.ts';
import { startHub, type Hub } from './hub.ts';
import { SUPERGRAPH_FILE } from './subgraphs.ts';

/**
 * The committed supergraph is the composition of the subgraphs' schemas (compose.test.ts), so
 * Apollo Gateway is told not to check it as a schema at a start (a fifth of a second); a
 * supergraph given by SUPERGRAPH_PATH is checked. A defective one is refused either way: with
 * the check off the gateway still validates the schema it serves (the supergraph less its
 * federation directives), and says the same.
 * These tests hold with the check on or off, so that skipping it loses no refusal.
 */
const SQUARE_WITHOUT_ITS_SIDE = `
interface Shape @join__type(graph: PAIRING) { side: Int }
type Square implements Shape @join__type(graph: PAIRING) { other: Int }
`;

describe('the supergraph a hub starts on', () => {
  const folder = mkdtempSync(join(tmpdir(), 'hub-supergraph-check-'));
  const logger = createLogger({ level: 'warn' });
  let hub: Hub | undefined;
  afterEach(async () => {
    await hub?.stop();
    hub = undefined;
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  const distributed = (supergraphPath: string) =>
    readHubConfig({ TOPOLOGY: 'distributed', PORT: '0', HOST: '127.0.0.1', RESPONSE_CACHE: 'false', SUPERGRAPH_PATH: supergraphPath });

  it('is refused when it is no valid schema, and says what is wrong', async () => {
    const path = join(folder, 'broken.graphql');
    writeFileSync(path, readFileSync(SUPERGRAPH_FILE, 'utf8') + SQUARE_WITHOUT_ITS_SIDE);
    await expect(startHub(distributed(path), { logger })).rejects.toThrow(/The schema is not a valid GraphQL schema[\s\S]*Interface field Shape\.side expected but Square does not provide it/);
  });

  it('is served when it is the committed one', async () => {
    const path = join(folder, 'copy.graphql');
    writeFileSync(path, readFileSync(SUPERGRAPH_FILE, 'utf8'));
    hub = await startHub(distributed(path), { logger });
    expect(hub.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
  });
});
