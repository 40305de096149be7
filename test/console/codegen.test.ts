import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SUPERGRAPH, generateTypes } from '../../packages/console/codegen.ts';

/**
 * The console's types come from the committed supergraph (graphql-codegen's client preset, run
 * by `npm run typecheck` in CI): a change of the graph that breaks one of the console's
 * documents fails there, before any page shows an error. Each case writes into a scratch folder,
 * never into the console's own src/gql/.
 */
describe("the console's types from the supergraph", () => {
  const scratch = mkdtempSync(join(tmpdir(), 'console-codegen-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const committed = readFileSync(SUPERGRAPH, 'utf8');

  it('are made from the committed supergraph, with a persisted document for each operation', async () => {
    await generateTypes({ into: join(scratch, 'committed') });
    const persisted = JSON.parse(readFileSync(join(scratch, 'committed', 'persisted-documents.json'), 'utf8')) as Record<string, string>;
    expect(Object.values(persisted).some((body) => body.includes('query ConsoleCounty'))).toBe(true);
  });

  it('fail on a scratch copy of the supergraph in which a field the county page asks for is renamed', async () => {
    // County.nameZh, which the county page shows, renamed as a breaking change would.
    const renamed = committed.replace(/^(type County\n(?:.*\n)*?)  nameZh: String! @join__field\(graph: SHAANXI\)$/m, '$1  chineseName: String! @join__field(graph: SHAANXI)');
    expect(renamed).not.toBe(committed);
    await expect(generateTypes({ supergraphSdl: renamed, into: join(scratch, 'renamed') })).rejects.toThrow(/nameZh/);
  });
});
