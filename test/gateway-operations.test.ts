import { createRequire } from 'node:module';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestHub, type TestHub } from '@hub/testkit';

// Apollo Gateway reads `operationFromDocument` from this module at each call (through the
// package's index), so a spy on it sees the gateway's calls.
const operations = createRequire(import.meta.url)('@apollo/federation-internals/dist/operations.js') as {
  operationFromDocument: (...args: unknown[]) => unknown;
};

const LOOKUP = /* GraphQL */ `
  query Lookup($code: DivisionCode!, $withPrefecture: Boolean!) {
    county(code: $code) {
      code
      nameZh
      prefecture @include(if: $withPrefecture) { code }
    }
  }
`;

/**
 * Apollo Gateway, as patched (patches/@apollo+gateway+*.patch), turns a document into the
 * operation it shapes answers by once, not at every request: on a lookup of one county that
 * work was a thirtieth of the serving thread's time.
 */
describe("the gateway's operation for a document", () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub('all-in-one');
  });
  afterAll(() => hub?.stop());
  afterEach(() => vi.restoreAllMocks());

  it('is made once for a document asked again and again, and shapes each answer by its own variables', async () => {
    const first = await hub.query(LOOKUP, { code: '610102', withPrefecture: true });
    expect(first.errors).toBeUndefined();
    const made = vi.spyOn(operations, 'operationFromDocument');
    // 新城区 of 西安 (610100), 镇坪县 of 安康 (610900): the county codes' first four digits.
    const asked = [
      { code: '610102', withPrefecture: true, prefecture: { code: '610100' } },
      { code: '610927', withPrefecture: true, prefecture: { code: '610900' } },
      { code: '610927', withPrefecture: false },
      { code: '610102', withPrefecture: false },
    ];
    for (const { prefecture, ...variables } of asked) {
      const result = await hub.query(LOOKUP, variables);
      expect(result.errors).toBeUndefined();
      if (prefecture) expect(result.data!.county).toMatchObject({ code: variables.code, prefecture });
      else expect(result.data!.county).not.toHaveProperty('prefecture');
    }
    expect(made).not.toHaveBeenCalled();
  });

  it('is made for each new document, which its answer is shaped by', async () => {
    const seen = await hub.query(LOOKUP, { code: '610927', withPrefecture: true });
    expect(seen.errors).toBeUndefined();
    const made = vi.spyOn(operations, 'operationFromDocument');
    // Another document, asked after one that is kept: planned (one call) and shaped by its own operation (another).
    const result = await hub.query(`query Fresh${Date.now()} { county(code: "610927") { nameZh } }`);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ county: { nameZh: '镇坪县' } });
    expect(made).toHaveBeenCalledTimes(2);
  });
});
