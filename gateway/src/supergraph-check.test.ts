import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@hub/server';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { readHubConfig } from './config.ts';
import { checksSupergraph } from './gateway-server.ts';
import { startHub, type Hub } from './hub.ts';
import { SUPERGRAPH_FILE } from './subgraphs.ts';

/**
 * A defect in types no caller sees (`@inaccessible`): the schema the gateway serves leaves them
 * out, so only a check of the whole supergraph finds that Square lacks its interface's field.
 */
const HIDDEN_SQUARE_WITHOUT_ITS_SIDE = `
interface Shape @join__type(graph: PAIRING) @inaccessible { side: Int }
type Square implements Shape @join__type(graph: PAIRING) @inaccessible { other: Int }
`;

/** The same defect where callers would see it: refused whether the whole supergraph is checked or not. */
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

  /** The distributed gateway on the committed supergraph with `defect` added, from a file of its own. */
  const startWith = (name: string, defect: string) => {
    const path = join(folder, name);
    writeFileSync(path, readFileSync(SUPERGRAPH_FILE, 'utf8') + defect);
    return startHub(readHubConfig({ TOPOLOGY: 'distributed', PORT: '0', HOST: '127.0.0.1', RESPONSE_CACHE: 'false', SUPERGRAPH_PATH: path }), { logger });
  };

  it('is checked whole when given by SUPERGRAPH_PATH, and not when it is the committed composition', () => {
    expect(checksSupergraph(SUPERGRAPH_FILE)).toBe(false);
    expect(checksSupergraph(join(folder, 'supergraph.graphql'))).toBe(true);
  });

  it('is refused, given by SUPERGRAPH_PATH, for a defect in types no caller sees', async () => {
    await expect(startWith('hidden.graphql', HIDDEN_SQUARE_WITHOUT_ITS_SIDE)).rejects.toThrow(
      /The schema is not a valid GraphQL schema[\s\S]*Interface field Shape\.side expected but Square does not provide it/,
    );
  });

  it('is refused for a defect in the schema it would serve, and says what is wrong', async () => {
    await expect(startWith('broken.graphql', SQUARE_WITHOUT_ITS_SIDE)).rejects.toThrow(/Interface field Shape\.side expected but Square does not provide it/);
  });

  it('is served, given by SUPERGRAPH_PATH, when it is the committed one', async () => {
    hub = await startWith('copy.graphql', '');
    expect(hub.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
  });
});
