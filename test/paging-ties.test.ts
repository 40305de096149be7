import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { startTestHub, type GraphQLResult, type TestHub } from '@hub/testkit';

/**
 * Lists paged newest first carry the last row's time and id in their cursor. Rows written in
 * one transaction share one `now()`, to the microsecond, and a JavaScript time keeps
 * milliseconds: a walk through the pages must still give every row once, the ties and rows a
 * fraction of a millisecond apart included.
 */
const COUNTY = '610924';
const PREFECTURE = '610900';
const ORGANIZATION = 'sn-zhenping-volunteer-association';
/** One instant with microseconds, shared by the tied rows; the others a few microseconds later. */
const TIED_AT = '2021-03-04 05:06:07.123456+00';
const NEAR = ['2021-03-04 05:06:07.123789+00', '2021-03-04 05:06:07.123001+00', '2021-03-04 05:06:07.124456+00'];

let hub: TestHub;
const needIds: string[] = [];

beforeAll(async () => {
  hub = await startTestHub();
  const times = [TIED_AT, TIED_AT, TIED_AT, TIED_AT, ...NEAR];
  for (const [index, at] of times.entries()) {
    const id = randomUUID();
    needIds.push(id);
    await hub.database.db.execute(sql`
      insert into shaanxi.project_need (id, county_code, raised_by_organization_id, title_zh, field, published_at, created_at, provenance_kind)
      values (${id}, ${COUNTY}, ${ORGANIZATION}, ${`同时写下的需求 ${index}`}, 'EDUCATION', ${at}::timestamptz, ${at}::timestamptz, 'SYNTHETIC_DEMO')`);
    await hub.database.db.execute(sql`
      insert into pairing.project_pipeline (project_id, stage, version, county_code, prefecture_code, field, ever_published, entered_at, provenance_kind)
      values (${id}, 'PUBLISHED', 1, ${COUNTY}, ${PREFECTURE}, 'EDUCATION', true, ${at}::timestamptz, 'SYNTHETIC_DEMO')`);
  }
});

afterAll(async () => {
  await hub?.stop();
});

/** Every id a walk of `field`'s pages of `first` gives, in order, and the list's totalCount. */
async function walk(field: 'projectNeeds' | 'pipeline', first: number): Promise<{ ids: string[]; totalCount: number }> {
  const ids: string[] = [];
  let after: string | null = null;
  let totalCount = 0;
  for (let page = 0; page < 100; page += 1) {
    const result: GraphQLResult = await hub.query(
      `query ($first: Int!, $after: String) { ${field}(first: $first, after: $after) { totalCount nodes { id } pageInfo { hasNextPage endCursor } } }`,
      { first, after },
    );
    expect(result.errors).toBeUndefined();
    const list: { totalCount: number; nodes: { id: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } = result.data![field];
    totalCount = list.totalCount;
    ids.push(...list.nodes.map((node) => node.id));
    if (!list.pageInfo.hasNextPage) return { ids, totalCount };
    after = list.pageInfo.endCursor;
  }
  throw new Error(`${field} did not end within 100 pages`);
}

describe.each(['projectNeeds', 'pipeline'] as const)('%s paged across rows written in the same millisecond', (field) => {
  it.each([1, 2, 3])('gives every row once, %i a page', async (first) => {
    const { ids, totalCount } = await walk(field, first);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(totalCount);
    for (const id of needIds) expect(ids).toContain(id);
  });

  it('gives the rows in the order of one page holding them all', async () => {
    const whole = await walk(field, 100);
    expect(whole.ids).toHaveLength(whole.totalCount);
    expect((await walk(field, 1)).ids).toEqual(whole.ids);
    expect((await walk(field, 2)).ids).toEqual(whole.ids);
  });
});
