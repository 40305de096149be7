import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '@hub/testkit';

/** Bad input gets a clear error with a stable code naming the problem, and the hub keeps serving. */
describe('bad input', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub('all-in-one');
  });
  afterAll(() => hub?.stop());

  it('refuses an unknown county code with NOT_FOUND naming the code', async () => {
    const result = await hub.query(`{ county(code: "610999") { nameZh } }`);
    expect(result.data?.county).toBeNull();
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0]!.message).toContain('"610999"');
    expect(result.errors![0]!.extensions).toMatchObject({ code: 'NOT_FOUND', entity: 'Shaanxi county' });
    expect(result.errors![0]!.path).toEqual(['county']);
  });

  it.each([
    ['five digits', '"61092"'],
    ['letters', '"abcdef"'],
    ['a leading zero', '"061092"'],
    ['an injection attempt', '"610927\' or 1=1 --"'],
  ])('refuses a malformed division code (%s) at the gateway, before any subgraph runs', async (_, literal) => {
    const { result, statements } = await hub.countStatements(() => hub.query(`{ county(code: ${literal}) { nameZh } }`));
    expect(result.status).toBe(400);
    expect(result.data).toBeUndefined();
    expect(result.errors?.[0]?.message).toMatch(/DivisionCode must be a string of six digits/);
    expect(result.errors?.[0]?.extensions).toMatchObject({
      code: 'GRAPHQL_VALIDATION_FAILED',
      reason: 'INVALID_DIVISION_CODE',
    });
    expect(statements).toEqual([]);
  });

  it('refuses a malformed division code passed as a variable', async () => {
    const result = await hub.query(`query ($code: DivisionCode!) { county(code: $code) { nameZh } }`, { code: '6109' });
    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.message).toMatch(/\$code.*DivisionCode must be a string of six digits/s);
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_DIVISION_CODE' });
  });

  it('refuses a division code given as a number', async () => {
    const result = await hub.query(`{ county(code: 610927) { nameZh } }`);
    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.message).toMatch(/DivisionCode must be a string of six digits.*got a intvalue literal/);
    expect(result.errors?.[0]?.extensions).toMatchObject({
      code: 'GRAPHQL_VALIDATION_FAILED',
      reason: 'INVALID_DIVISION_CODE',
    });
  });

  it('refuses an argument of the wrong type, naming the argument', async () => {
    const result = await hub.query(`{ counties(first: "ten") { totalCount } }`);
    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.message).toMatch(/Int cannot represent non-integer value: "ten"/);
    expect(result.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('refuses a variable of the wrong type with BAD_USER_INPUT', async () => {
    const result = await hub.query(`query ($first: Int) { counties(first: $first) { totalCount } }`, { first: 'ten' });
    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.message).toMatch(/\$first/);
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('refuses a page larger than the cap instead of truncating it', async () => {
    const result = await hub.query(`{ counties(first: 1000) { totalCount } }`);
    expect(result.errors?.[0]?.message).toBe('Argument "first" must be between 0 and 100; got 1000.');
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'first' });
  });

  it('refuses a cursor it did not hand out', async () => {
    const result = await hub.query(`{ projectNeeds(after: "not-a-cursor") { totalCount } }`);
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'after' });
  });

  it('answers an unknown project id with NOT_FOUND, whatever its shape', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      const result = await hub.query(`query ($id: ID!) { project(id: $id) { titleZh } }`, { id });
      expect(result.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      expect(result.errors?.[0]?.message).toContain(JSON.stringify(id));
    }
  });

  it('answers a body that is not JSON with 400 BAD_REQUEST', async () => {
    const response = await fetch(hub.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query": "{ prefectures { code } }"',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ errors: [{ extensions: { code: 'BAD_REQUEST' } }] });
  });

  it('keeps serving after all of the above', async () => {
    const health = await fetch(`${hub.origin}/health`);
    expect(health.status).toBe(200);
    const result = await hub.query(`{ county(code: "610927") { nameZh } }`);
    expect(result.data).toEqual({ county: { nameZh: '镇坪县' } });
  });
});
