import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { sql } from 'drizzle-orm';
import { getIntrospectionQuery } from 'graphql';
import { documentId, loadManifest } from '@hub/gateway';
import { startTestHub, type TestHub } from '@hub/testkit';

const post = (hub: TestHub, body: string | Buffer, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  fetch(hub.url, { method: 'POST', headers, body });

describe('operation limits', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub('all-in-one');
  });
  afterAll(() => hub?.stop());

  it('refuses an operation nested deeper than 12 levels', async () => {
    let selection = 'code';
    for (let i = 0; i < 7; i += 1) selection = `prefecture { counties { ${selection} } }`;
    const result = await hub.query(`{ county(code: "610927") { ${selection} } }`);
    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', reason: 'DEPTH_LIMIT', limit: 12 });
  });

  it('refuses more than 30 aliases', async () => {
    const fields = Array.from({ length: 31 }, (_, i) => `a${i}: prefectures { code }`).join(' ');
    const result = await hub.query(`{ ${fields} }`);
    expect(result.errors?.[0]?.extensions).toMatchObject({ reason: 'ALIAS_LIMIT', actual: 31 });
  });

  it('refuses an operation whose estimated cost is over the limit, counting page sizes from variables', async () => {
    const document = `query ($n: Int!) { counties(first: $n) { nodes { organizations { projectsRaised { county { projects { titleZh } } } } } } }`;
    const costly = await hub.query(document, { n: 100 });
    expect(costly.status).toBe(400);
    expect(costly.errors?.[0]?.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', reason: 'COST_LIMIT' });
    const cheap = await hub.query(document, { n: 2 });
    expect(cheap.errors).toBeUndefined();
  });

  it('expands a fragment bomb by its real size without hanging', async () => {
    const fragments = ['fragment F0 on County { code nameZh }'];
    for (let i = 1; i <= 20; i += 1) fragments.push(`fragment F${i} on County { ...F${i - 1} prefecture { counties { ...F${i - 1} } } }`);
    const started = Date.now();
    const result = await hub.query(`{ county(code: "610927") { ...F20 } } ${fragments.join(' ')}`);
    expect(result.status).toBe(400);
    expect(result.errors?.map((e) => e.extensions?.reason)).toContain('DEPTH_LIMIT');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('answers the standard introspection queries that explorers and code generators send, past the depth limit', async () => {
    const variants = {
      // graphql-js's default, what graphql-codegen's schema loader and most tools send.
      default: getIntrospectionQuery(),
      // GraphiQL's, with deprecated arguments and the schema's description.
      graphiql: getIntrospectionQuery({ inputValueDeprecation: true, schemaDescription: true }),
      // Everything graphql-js can ask but `isOneOf`, which Apollo Gateway does not know.
      fullest: getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true }),
    };
    for (const [name, document] of Object.entries(variants)) {
      const result = await hub.query(document);
      expect(result.errors, name).toBeUndefined();
      const types = (result.data as any).__schema.types.map((type: { name: string }) => type.name);
      expect(types, name).toEqual(expect.arrayContaining(['County', 'Project', 'JiangsuOrganization', 'Money']));
    }
    // Asking for `isOneOf` too, which Apollo Gateway cannot plan, is the caller's to change, not an internal error.
    const oneOf = await hub.query(getIntrospectionQuery({ oneOf: true }));
    expect(oneOf.status).toBe(400);
    expect(oneOf.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(oneOf.errors?.[0]?.message).toMatch(/does not serve `__Type.isOneOf`/);
  });

  it('refuses a deep query dressed up as introspection', async () => {
    // Each `fields { type` is a level: only the unwrapping `ofType` runs are free.
    let selection = 'name';
    for (let i = 0; i < 6; i += 1) selection = `fields { type { ${selection} } }`;
    const deep = await hub.query(`{ __schema { types { ${selection} } } }`);
    expect(deep.status).toBe(400);
    expect(deep.errors?.[0]?.extensions).toMatchObject({ reason: 'DEPTH_LIMIT' });
    // An ofType run longer than the standard query's nine is counted from the tenth on.
    const unwrapped = (levels: number) => `{ __type(name: "County") { fields { type { ${'ofType { '.repeat(levels)}name${' }'.repeat(levels)} } } } }`;
    expect((await hub.query(unwrapped(9))).errors).toBeUndefined();
    expect((await hub.query(unwrapped(20))).errors?.[0]?.extensions).toMatchObject({ reason: 'DEPTH_LIMIT' });
  });

  it('refuses introspection that answers far more than the whole schema, counted without answering it', async () => {
    // Every field's arguments and every field of each field's type: within the depth limits,
    // a few times the standard introspection's size, and as many times over as it is aliased.
    const part = '__schema { types { fields { args { type { ofType { name } } } type { ofType { ofType { fields { name args { name type { name } } } } } } } } }';
    const aliased = (times: number) => `{ ${Array.from({ length: times }, (_, i) => `s${i}: ${part}`).join(' ')} }`;
    expect((await hub.query(aliased(1))).errors).toBeUndefined();
    const started = Date.now();
    const result = await hub.query(aliased(20));
    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', reason: 'COST_LIMIT' });
    expect(result.errors?.[0]?.message).toMatch(/introspection answers \d+ fields/);
    expect(result.errors?.[0]?.extensions?.actual).toBeGreaterThan(result.errors?.[0]?.extensions?.limit as number);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('refuses a body over the size limit with 413', async () => {
    const response = await post(hub, JSON.stringify({ query: `{ prefectures { code } }`, variables: { pad: 'x'.repeat(150_000) } }));
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ errors: [{ extensions: { code: 'PAYLOAD_TOO_LARGE' } }] });
  });

  it('refuses a document with too many tokens while parsing', async () => {
    const result = await hub.query(`{ prefectures { ${'code '.repeat(5_000)} } }`);
    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(result.errors?.[0]?.message).toMatch(/more that 4000 tokens/);
  });

  it('prevents cross-site requests: a simple GET or a text/plain POST is refused', async () => {
    const get = await fetch(`${hub.url}?query=${encodeURIComponent('{ prefectures { code } }')}`);
    expect(get.status).toBe(400);
    expect(await get.text()).toMatch(/CSRF/);
    const plain = await post(hub, JSON.stringify({ query: '{ prefectures { code } }' }), { 'content-type': 'text/plain' });
    expect(plain.status).toBe(400);
    const preflighted = await fetch(`${hub.url}?query=${encodeURIComponent('{ prefectures { code } }')}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(preflighted.status).toBe(200);
  });

  it('tags every response with a request id', async () => {
    const result = await hub.query(`{ prefectures { code } }`);
    expect(result.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('internal errors', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub('all-in-one');
  });
  afterAll(() => hub?.stop());
  afterEach(() => vi.restoreAllMocks());

  it('are masked for the caller and logged with the same request id', async () => {
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const healthy = (await hub.query(`{ jiangsuCities { code } }`)).data!.jiangsuCities;
    expect(healthy.length).toBeGreaterThan(0);
    // Break the database under the hub: the Jiangsu cities table disappears for a moment.
    await hub.database.db.execute(sql`alter table jiangsu.city rename to city_hidden`);
    try {
      const result = await hub.query(`{ jiangsuCities { code } }`);
      const error = result.errors?.[0];
      expect(error?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
      const requestId = error?.extensions?.requestId as string;
      expect(requestId).toBe(result.headers.get('x-request-id'));
      expect(error?.message).toBe(`Internal server error (request ${requestId}).`);
      expect(JSON.stringify(result)).not.toMatch(/select|relation|jiangsu\.city|stack/i);
      const logged = lines.map((line) => JSON.parse(line)).find((entry) => entry.requestId === requestId);
      expect(logged).toMatchObject({ level: 'error', requestId });
      expect(logged.message).toMatch(/city/);
    } finally {
      await hub.database.db.execute(sql`alter table jiangsu.city_hidden rename to city`);
    }
    expect((await hub.query(`{ jiangsuCities { code } }`)).data!.jiangsuCities).toEqual(healthy);
  });
});

describe('rate limits', () => {
  // Each test has a hub of its own with small limits, so its buckets start full whatever ran before.
  const withHub = async (env: Record<string, string>, work: (hub: TestHub) => Promise<void>) => {
    const hub = await startTestHub('all-in-one', env);
    try {
      await work(hub);
    } finally {
      await hub.stop();
    }
  };
  const ask = (hub: TestHub, token?: string) => hub.query(`{ prefectures { code } }`, {}, { token });

  it('refuses a signed-in identity past its limit with 429 and Retry-After, and no other identity', async () => {
    await withHub({ RATE_LIMIT_PER_ADDRESS: '1000', RATE_LIMIT_PER_IDENTITY: '3' }, async (hub) => {
      const token = await hub.token('SHAANXI_OFFICE');
      const statuses = [];
      for (let i = 0; i < 3; i += 1) statuses.push((await ask(hub, token)).status);
      const refused = await ask(hub, token);
      expect([...statuses, refused.status]).toEqual([200, 200, 200, 429]);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', scope: 'identity' });
      expect((await ask(hub, await hub.token('JIANGSU_OFFICE'))).status).toBe(200);
    });
  });

  it('refuses an address past its limit with 429, Retry-After and RATE_LIMITED, and keeps /health open', async () => {
    await withHub({ RATE_LIMIT_PER_ADDRESS: '3', RATE_LIMIT_PER_IDENTITY: '1000' }, async (hub) => {
      const statuses = [];
      for (let i = 0; i < 3; i += 1) statuses.push((await ask(hub)).status);
      const refused = await ask(hub);
      expect([...statuses, refused.status]).toEqual([200, 200, 200, 429]);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', scope: 'address' });
      expect((await fetch(`${hub.origin}/health`)).status).toBe(200);
    });
  });
});

describe('production mode', () => {
  let production: TestHub;
  let development: TestHub;
  beforeAll(async () => {
    production = await startTestHub('all-in-one', { NODE_ENV: 'production', JWT_SECRET: 'p'.repeat(40) });
    development = await startTestHub('all-in-one');
  });
  afterAll(async () => {
    await production?.stop();
    await development?.stop();
  });

  it('turns introspection off', async () => {
    const document = `{ __schema { queryType { name } } }`;
    expect((await development.query(document)).data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    const result = await production.query(document);
    expect(result.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(result.errors?.[0]?.message).toMatch(/introspection/i);
  });

  it('gives no field suggestions', async () => {
    expect((await development.query(`{ countys { code } }`)).errors?.[0]?.message).toMatch(/Did you mean/);
    const result = await production.query(`{ countys { code } }`);
    expect(result.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(result.errors?.[0]?.message).not.toMatch(/Did you mean|counties/);
  });

  it('refuses to start without its secrets', async () => {
    const { readHubConfig } = await import('@hub/gateway');
    expect(() => readHubConfig({ NODE_ENV: 'production', TOPOLOGY: 'distributed' })).toThrow(
      /token key[\s\S]*HUB_INTERNAL_SECRET must be set in production/,
    );
  });
});

describe('trusted documents', () => {
  let strict: TestHub;
  let open: TestHub;
  const manifest = loadManifest(new URL('../gateway/trusted-documents.json', import.meta.url).pathname);
  const [countyPageId, countyPage] = [...manifest.entries()].find(([, body]) => body.includes('CountyPage'))!;
  beforeAll(async () => {
    strict = await startTestHub('all-in-one', { REQUIRE_TRUSTED_DOCUMENTS: 'true' });
    open = await startTestHub('all-in-one');
  });
  afterAll(async () => {
    await strict?.stop();
    await open?.stop();
  });

  it('runs a registered operation by its id', async () => {
    const response = await post(strict, JSON.stringify({ documentId: `sha256:${countyPageId}`, variables: { code: '610927' } }));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ data: { county: { nameZh: '镇坪县' } } });
  });

  it('runs a registered operation sent in full or by its persisted query hash', async () => {
    expect((await strict.query(countyPage, { code: '610924' })).data).toMatchObject({ county: { nameZh: '紫阳县' } });
    const byHash = await post(
      strict,
      JSON.stringify({ variables: { code: '610929' }, extensions: { persistedQuery: { version: 1, sha256Hash: countyPageId } } }),
    );
    expect(await byHash.json()).toMatchObject({ data: { county: { nameZh: '白河县' } } });
  });

  it('refuses any other operation when trusted documents are required', async () => {
    const result = await strict.query(`{ prefectures { code } }`);
    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.extensions?.code).toBe('TRUSTED_DOCUMENT_REQUIRED');
    const unknown = await post(strict, JSON.stringify({ documentId: 'sha256:0000' }));
    expect(await unknown.json()).toMatchObject({ errors: [{ extensions: { code: 'UNKNOWN_DOCUMENT' } }] });
  });

  it('accepts automatic persisted queries for other operations when not required', async () => {
    const query = `{ prefectures { code } }`;
    const extensions = { persistedQuery: { version: 1, sha256Hash: documentId(query) } };
    const first = await (await post(open, JSON.stringify({ extensions }))).json();
    expect(first).toMatchObject({ errors: [{ extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }] });
    await post(open, JSON.stringify({ query, extensions }));
    const again = (await (await post(open, JSON.stringify({ extensions }))).json()) as { data: { prefectures: unknown[] } };
    expect(again.data.prefectures).toHaveLength(10);
  });
});

describe('time limit', () => {
  let hub: TestHub;
  beforeAll(async () => {
    // Over HTTP, so the subgraph fetches give the clock a chance; in-process on PGlite a whole
    // operation can finish without the event loop turning.
    hub = await startTestHub('distributed', { REQUEST_TIMEOUT_MS: '1' });
  });
  afterAll(() => hub?.stop());

  it('answers a request that runs too long with 503 TIMEOUT', async () => {
    const result = await hub.query(`{ counties(first: 100) { nodes { code organizations { id } projects { id } } } }`);
    expect(result.status).toBe(503);
    expect(result.errors?.[0]?.extensions?.code).toBe('TIMEOUT');
  });
});
