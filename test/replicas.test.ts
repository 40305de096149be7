import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeSupergraph, mintToken, SUBGRAPHS, type SubgraphName } from '@hub/gateway';
import { DEVELOPMENT_SECRETS } from '@hub/server';
import { createTestDatabaseUrl, spawnHubProcess, type HubProcess } from '@hub/testkit';
import { Balancer } from './support/balancer.ts';

/** The machine's Redis (CI starts one): the gateways' rate limits are shared there. */
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const COUNTY_PAGE = `query CountyPage($code: DivisionCode!) { county(code: $code) { code nameZh prefecture { nameZh } pairedJiangsuCity { nameZh } } }`;
/** Poverty counties of three prefectures (GB/T 2260) and the Jiangsu city each is paired with. */
const COUNTIES = [
  { code: '611025', nameZh: '镇安县', city: '南京市' },
  { code: '610927', nameZh: '镇坪县', city: '常州市' },
  { code: '610826', nameZh: '绥德县', city: '扬州市' },
];

interface Tally {
  answered: number;
  failed: string[];
}

/**
 * The production shape in one test: two gateway replicas behind a balancer, two replicas of
 * each subgraph service behind a balancer of their own, all on one Postgres database, the
 * gateways sharing their rate limits through Redis. Runs on a Postgres server only (the
 * embedded one `npm test` starts, or TEST_DATABASE_URL): PGlite cannot be opened by two processes.
 */
describe.skipIf(!process.env.TEST_DATABASE_URL)('replicas of the gateway and of each subgraph on one Postgres', () => {
  let database: Awaited<ReturnType<typeof createTestDatabaseUrl>>;
  const processes: HubProcess[] = [];
  const balancers = {} as Record<SubgraphName | 'gateway', Balancer>;
  const replicas = {} as Record<SubgraphName | 'gateway', HubProcess[]>;
  let folder: string;

  beforeAll(async () => {
    database = await createTestDatabaseUrl();
    for (const name of [...SUBGRAPHS.map((subgraph) => subgraph.name), 'gateway'] as const) balancers[name] = await Balancer.start();
    const subgraphUrls = Object.fromEntries(SUBGRAPHS.map(({ name }) => [name, `${balancers[name].origin}/graphql`])) as Record<SubgraphName, string>;
    const peers = Object.fromEntries(SUBGRAPHS.map(({ name }) => [`${name.toUpperCase()}_SUBGRAPH_URL`, subgraphUrls[name]]));
    const quiet = { LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: '0' };
    // Both replicas of every subgraph start at once on the new database: they take turns at the migrations.
    for (const { name } of SUBGRAPHS) {
      replicas[name] = [0, 1].map(() => spawnHubProcess(`subgraphs/${name}/src/main.ts`, { ...quiet, ...peers, DATABASE_URL: database!.url, DEMO_DATA: 'false' }));
      processes.push(...replicas[name]);
    }
    for (const { name } of SUBGRAPHS) for (const replica of replicas[name]) balancers[name].add(new URL(await replica.ready(120_000)).origin);

    folder = mkdtempSync(join(tmpdir(), 'hub-replicas-'));
    const composition = composeSupergraph(subgraphUrls);
    if (!composition.ok) throw new Error(composition.errors.join('\n'));
    const supergraphPath = join(folder, 'supergraph.graphql');
    writeFileSync(supergraphPath, composition.supergraphSdl);
    const gatewayEnv = {
      ...quiet,
      TOPOLOGY: 'distributed',
      SUPERGRAPH_PATH: supergraphPath,
      REDIS_URL,
      RATE_LIMIT_KEY_PREFIX: `test-${randomUUID()}`,
      RATE_LIMIT_PER_ADDRESS: '1000000',
      RATE_LIMIT_PER_IDENTITY: '4',
      // The balancer in front is the proxy whose X-Forwarded-For names the client.
      TRUSTED_PROXIES: 'loopback',
    };
    replicas.gateway = [0, 1].map(() => spawnHubProcess('gateway/src/main.ts', gatewayEnv));
    processes.push(...replicas.gateway);
    for (const replica of replicas.gateway) balancers.gateway.add(new URL(await replica.ready(120_000)).origin);
  }, 240_000);

  afterAll(async () => {
    for (const process of processes) process.child.kill('SIGKILL');
    await Promise.all(processes.map((process) => process.exited));
    for (const balancer of Object.values(balancers)) await balancer.stop();
    await database?.drop();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  /** Reads through the front balancer from `concurrency` clients until `until` resolves. */
  async function readUntil(until: Promise<unknown>, concurrency = 4): Promise<Tally> {
    const tally: Tally = { answered: 0, failed: [] };
    let done = false;
    void until.then(() => (done = true));
    await Promise.all(
      Array.from({ length: concurrency }, async (_, client) => {
        for (let i = 0; !done; i += 1) {
          const county = COUNTIES[(client + i) % COUNTIES.length]!;
          try {
            const response = await fetch(`${balancers.gateway.origin}/graphql`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'x-forwarded-for': `203.0.113.${client + 1}` },
              body: JSON.stringify({ query: COUNTY_PAGE, variables: { code: county.code } }),
            });
            const body = (await response.json()) as { data?: { county?: { nameZh: string; pairedJiangsuCity: { nameZh: string } } }; errors?: unknown[] };
            const right = response.status === 200 && !body.errors && body.data?.county?.nameZh === county.nameZh && body.data.county.pairedJiangsuCity.nameZh === county.city;
            if (right) tally.answered += 1;
            else tally.failed.push(`${response.status} ${JSON.stringify(body).slice(0, 200)}`);
          } catch (error) {
            tally.failed.push(String(error));
          }
        }
      }),
    );
    return tally;
  }

  const after = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it("counts a client once across gateways, and keeps answering reads when a replica of each dies under load", async () => {
    // A signed-in identity's limit (4 a minute) is one count whichever gateway takes each request.
    const token = await mintToken({ secret: DEVELOPMENT_SECRETS.jwt, issuer: 'su-shaan-hub', audience: 'su-shaan-hub', role: 'SHAANXI_OFFICE', subject: `replica-test-${randomUUID()}` });
    const statuses = [];
    for (let i = 0; i < 5; i += 1) {
      const response = await fetch(`${balancers.gateway.origin}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: '{ prefectures { code } }' }),
      });
      statuses.push(response.status);
    }
    // Round robin: requests 1, 3, 5 to one gateway, 2 and 4 to the other.
    expect(statuses).toEqual([200, 200, 200, 200, 429]);

    const before = await readUntil(after(1_500));
    expect(before.failed).toEqual([]);
    expect(before.answered).toBeGreaterThan(10);

    // Under load, one replica of the gateway and of each subgraph dies (SIGKILL: no draining).
    const load = readUntil(after(3_000));
    await after(1_000);
    for (const name of ['gateway', ...SUBGRAPHS.map((subgraph) => subgraph.name)] as const) replicas[name][0]!.child.kill('SIGKILL');
    const during = await load;
    // Requests in flight at a killed replica may fail; the balancers send the rest to the living ones.
    expect(during.answered).toBeGreaterThan(10);

    const afterwards = await readUntil(after(2_000));
    expect(afterwards.failed).toEqual([]);
    expect(afterwards.answered).toBeGreaterThan(10);
    expect(balancers.gateway.rerouted + balancers.shaanxi.rerouted).toBeGreaterThan(0);
  }, 60_000);
});
