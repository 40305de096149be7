import DataLoader from 'dataloader';
import { describe, expect, it } from 'vitest';
import { madeOnUse, once } from './batch.ts';

describe("a request's loaders made on use", () => {
  it('make each loader the first time it is read, and give the same one after', () => {
    const made: string[] = [];
    const loaders = madeOnUse({
      county: () => {
        made.push('county');
        return new DataLoader(async (codes: readonly string[]) => codes.map((code) => `county ${code}`));
      },
      prefecture: () => {
        made.push('prefecture');
        return new DataLoader(async (codes: readonly string[]) => codes);
      },
    });
    expect(made).toEqual([]);
    const county = loaders.county;
    // The same DataLoader for every field of the request: what they ask in one tick is one batch.
    expect(loaders.county).toBe(county);
    expect(made).toEqual(['county']);
    expect('prefecture' in loaders).toBe(true);
    expect('organization' in loaders).toBe(false);
    expect(made).toEqual(['county']);
  });

  it('cannot be listed or spread, which would give none of them', () => {
    const loaders = madeOnUse({ county: () => new DataLoader(async (codes: readonly string[]) => codes) });
    expect(() => ({ ...loaders })).toThrow(TypeError);
    expect(() => Object.keys(loaders)).toThrow(TypeError);
    expect(() => JSON.stringify(loaders)).toThrow(TypeError);
  });

  it('batch what the fields of one request ask in the same tick', async () => {
    const batches: (readonly string[])[] = [];
    const loaders = madeOnUse({
      county: () =>
        new DataLoader(async (codes: readonly string[]) => {
          batches.push(codes);
          return codes;
        }),
    });
    // Three resolvers, each reading the loader from the context as it runs.
    await Promise.all(['610102', '610103', '610104'].map((code) => loaders.county.load(code)));
    expect(batches).toEqual([['610102', '610103', '610104']]);
  });

  it('let one loader prime another, made once whichever reads it first', async () => {
    const prefecture = once(() => new DataLoader(async (codes: readonly string[]) => codes.map(() => 'read')));
    const loaders = madeOnUse({
      prefecture,
      county: () =>
        new DataLoader(async (codes: readonly string[]) => {
          prefecture().prime('6101', 'primed by the county read');
          return codes;
        }),
    });
    await loaders.county.load('610102');
    expect(loaders.prefecture).toBe(prefecture());
    expect(await loaders.prefecture.load('6101')).toBe('primed by the county read');
  });
});
