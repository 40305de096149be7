import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { composeSupergraph, SUBGRAPHS, type SubgraphName } from '@hub/gateway';
import { REPOSITORY_ROOT, spawnHubProcess, temporaryDataRoot, type HubProcess } from '@hub/testkit';
import { Balancer } from './support/balancer.ts';

/** The first signing ceremony, from the public record: 15 projects, signed by Shaanxi counties each paired with a Jiangsu city. */
const CEREMONY = `{ ceremony(id: "2017-12-28-xian") { declaredProjectCount signatoryCounties { nameZh pairedJiangsuCity { nameZh } } } }`;

/**
 * What production runs is the build (`npm start`): each entry point compiled and bundled with
 * what it imports into dist/ (scripts/build.mjs). The other tests run the sources; these run
 * the build, whose modules read what lies beside their own compiled files (schemas, migrations,
 * seeds) from there, not from beside the bundle.
 */
describe('the compiled hub', () => {
  const processes: HubProcess[] = [];
  const balancers: Balancer[] = [];
  const folder = temporaryDataRoot('hub-compiled-');
  afterAll(async () => {
    for (const process of processes) process.child.kill('SIGKILL');
    await Promise.all(processes.map((process) => process.exited));
    for (const balancer of balancers) await balancer.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('bundles no module of Apollo’s usage reporting, which the hub turns off, and hashes with Node’s crypto', () => {
    const inputs = JSON.parse(readFileSync(join(REPOSITORY_ROOT, 'dist', 'inputs.json'), 'utf8')) as string[];
    expect(inputs).toContain('scripts/left-out.cjs');
    expect(inputs.filter((input) => /node_modules\/(@opentelemetry\/(sdk-metrics|exporter-metrics-otlp-http|resource-detector-[^/]+)|sha\.js)\//.test(input))).toEqual([]);
  });

  it('names classes as written, and leaves arrow functions as the engine names them instead of naming each as it is made', () => {
    const bundles = readdirSync(join(REPOSITORY_ROOT, 'dist')).filter((name) => name.endsWith('.js'));
    const code = bundles.map((name) => readFileSync(join(REPOSITORY_ROOT, 'dist', name), 'utf8'));
    // pg's DatabaseError, renamed where the bundling met a second class of that name, is logged as DatabaseError.
    const databaseError = code.find((text) => text.includes('var DatabaseError2 = class'));
    expect(databaseError, 'the bundle holding pg’s DatabaseError').toBeDefined();
    expect(databaseError).toMatch(/var DatabaseError2 = class extends Error \{\s*static \{\s*__name\(this, "DatabaseError"\);/);
    // The helper every bundle names with, run as the bundles run it.
    const helpers = [...new Set(code.flatMap((text) => text.match(/^var __name = .*;$/m) ?? []))];
    expect(helpers).toHaveLength(1);
    const name = new Function('__defProp', `${helpers[0]} return __name;`)(Object.defineProperty) as <T>(target: T, value: string) => T;
    expect(name(class DatabaseError2 extends Error {}, 'DatabaseError').name).toBe('DatabaseError');
    expect(name(function county2() {}, 'county').name).toBe('county');
    // An arrow function the bundling renamed keeps the engine's name for it, and is not redefined.
    const county2 = () => 'a loader';
    expect(name(county2, 'county').name).toBe('county2');
    const load2 = async () => 'rows';
    expect(name(load2, 'load').name).toBe('load2');
    expect(name(async () => 'rows', 'county').name).toBe('');
  });

  it('bundles one copy of graphql-js, the one whose check for a second copy the build leaves out', () => {
    const inputs = JSON.parse(readFileSync(join(REPOSITORY_ROOT, 'dist', 'inputs.json'), 'utf8')) as string[];
    expect(inputs.filter((input) => /(^|\/)graphql\/jsutils\/instanceOf\.m?js$/.test(input))).toEqual(['node_modules/graphql/jsutils/instanceOf.js']);
    const bundles = readdirSync(join(REPOSITORY_ROOT, 'dist')).filter((name) => name.endsWith('.js'));
    const realmCheck = bundles.filter((name) => readFileSync(join(REPOSITORY_ROOT, 'dist', name), 'utf8').includes('from another module or realm'));
    expect(realmCheck, 'bundles holding graphql-js’s check for a second copy').toEqual([]);
  });

  it('counts the patches of its dependencies and the files they patch among its inputs, so that one applied or taken back rebuilds it', () => {
    // What the last build was made from, with each file's size and time (scripts/build.mjs).
    const recorded = Object.keys(JSON.parse(readFileSync(join(REPOSITORY_ROOT, 'gateway', 'dist', '.inputs.json'), 'utf8')) as Record<string, string>);
    const patches = readdirSync(join(REPOSITORY_ROOT, 'patches')).filter((name) => name.endsWith('.patch'));
    expect(patches.length).toBeGreaterThan(0);
    for (const patch of patches) {
      expect(recorded).toContain(`patches/${patch}`);
      const patched = readFileSync(join(REPOSITORY_ROOT, 'patches', patch), 'utf8').match(/^\+\+\+ b\/(.+)$/gm)!.map((line) => line.slice('+++ b/'.length));
      expect(patched.length).toBeGreaterThan(0);
      for (const file of patched) expect(recorded).toContain(file);
    }
  });

  it('migrates and seeds every subgraph from the migrate bundle, as `npm run migrate` does', async () => {
    const migrate = spawnHubProcess('dist/migrate.js', { LOG_LEVEL: 'warn', DEMO_DATA: 'false', DATA_DIR: join(folder, 'migrated') });
    processes.push(migrate);
    expect(await migrate.exited).toBe(0);
    for (const name of ['shaanxi', 'jiangsu', 'pairing']) expect(migrate.output()).toMatch(new RegExp(`${name}: migrated and seeded`));
  }, 120_000);

  it('serves the distributed topology: each subgraph a service of its own bundle, the gateway fetching from them', async () => {
    // The balancers give each service its address before it starts, so each can name its peers.
    const fronts = {} as Record<SubgraphName, Balancer>;
    for (const { name } of SUBGRAPHS) balancers.push((fronts[name] = await Balancer.start()));
    const urls = Object.fromEntries(SUBGRAPHS.map(({ name }) => [name, `${fronts[name].origin}/graphql`])) as Record<SubgraphName, string>;
    const peers = Object.fromEntries(SUBGRAPHS.map(({ name }) => [`${name.toUpperCase()}_SUBGRAPH_URL`, urls[name]]));
    const common = { LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: '0', DEMO_DATA: 'false', DATA_DIR: join(folder, 'data') };
    const services = SUBGRAPHS.map(({ name }) => spawnHubProcess(`dist/${name}.js`, { ...common, ...peers }));
    processes.push(...services);
    for (const [index, { name }] of SUBGRAPHS.entries()) fronts[name].add(new URL(await services[index]!.ready(120_000)).origin);

    const composition = composeSupergraph(urls);
    if (!composition.ok) throw new Error(composition.errors.join('\n'));
    const supergraphPath = join(folder, 'supergraph.graphql');
    writeFileSync(supergraphPath, composition.supergraphSdl);
    // Tracing on, to a port nobody listens on: the bundle loads the tracing SDK at start.
    const tracing = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' };
    const gateway = spawnHubProcess('dist/gateway.js', { ...common, ...tracing, TOPOLOGY: 'distributed', SUPERGRAPH_PATH: supergraphPath });
    processes.push(gateway);
    const url = await gateway.ready(120_000);

    const answer = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: CEREMONY }) });
    const body = (await answer.json()) as any;
    expect(body.errors).toBeUndefined();
    expect(body.data.ceremony.declaredProjectCount).toBe(15);
    // Pairings from the public record: Shangluo's counties with Nanjing, Ankang's with Changzhou.
    const pairs = Object.fromEntries(body.data.ceremony.signatoryCounties.map((county: any) => [county.nameZh, county.pairedJiangsuCity?.nameZh]));
    expect(pairs).toMatchObject({ 紫阳县: '常州市' });
    expect(Object.values(pairs).every((city) => typeof city === 'string')).toBe(true);
  }, 240_000);
});
