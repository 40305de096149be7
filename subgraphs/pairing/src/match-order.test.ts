import { describe, expect, it } from 'vitest';
import { compareMatches, decodeMatchCursor, encodeMatchCursor, pageOfMatches, type RankedMatch } from './match-order.ts';

const id = (n: number) => `00000000-0000-4000-a000-${n.toString().padStart(12, '0')}`;
const match = (n: number, score: number, stillSoughtFen: bigint | null): RankedMatch => ({ projectId: id(n), score, stillSoughtFen, parts: [] });

describe('the order of matches', () => {
  // Worked out by hand: score down, then what is still sought up with unknown last, then id.
  const ranked = [match(5, 40, null), match(1, 95, 400n), match(2, 95, 250n), match(3, 95, 250n), match(4, 100, 9_000_000n), match(6, 40, 1n)];
  const expected = [id(4), id(2), id(3), id(1), id(6), id(5)];

  it('is score, then the smaller amount still sought (unknown last), then id', () => {
    expect([...ranked].sort(compareMatches).map((m) => m.projectId)).toEqual(expected);
    expect([...ranked].reverse().sort(compareMatches).map((m) => m.projectId)).toEqual(expected);
  });

  it('is cut into pages that hold every match once, whatever the page size', () => {
    for (const size of [1, 2, 4, 6, 10]) {
      const seen: string[] = [];
      let cursor = null;
      for (;;) {
        const page = pageOfMatches(ranked, size, cursor);
        seen.push(...page.nodes.map((m) => m.projectId));
        if (!page.hasNextPage) break;
        cursor = decodeMatchCursor(encodeMatchCursor(page.nodes.at(-1)!));
      }
      expect(seen, `pages of ${size}`).toEqual(expected);
    }
  });

  it('goes on after a cursor whose match has left, from its place', () => {
    const cursor = decodeMatchCursor(encodeMatchCursor(match(2, 95, 250n)));
    const without = ranked.filter((m) => m.projectId !== id(2));
    expect(pageOfMatches(without, 2, cursor).nodes.map((m) => m.projectId)).toEqual([id(3), id(1)]);
  });

  it('keeps amounts beyond 2^53 fen exact in its cursor', () => {
    const big = match(7, 1, 2n ** 60n + 1n);
    expect(decodeMatchCursor(encodeMatchCursor(big))).toEqual({ score: 1, stillSoughtFen: 2n ** 60n + 1n, projectId: id(7) });
    expect(decodeMatchCursor(encodeMatchCursor(match(8, 0, null)))).toEqual({ score: 0, stillSoughtFen: null, projectId: id(8) });
  });

  it('refuses a cursor it did not make', () => {
    const refused = (text: string) => () => decodeMatchCursor(Buffer.from(text).toString('base64url'));
    for (const text of ['', '95|250', `95|250|${id(1)}|x`, `-1|250|${id(1)}`, `95|-5|${id(1)}`, `95|250|not-a-uuid`, `2020-01-01T00:00:00.000Z|${id(1)}`]) {
      expect(refused(text), text).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', argument: 'after' }) }));
    }
  });
});
