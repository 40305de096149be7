import { describe, expect, it } from 'vitest';
import type { Peers } from '@hub/server';
import type { TargetsStore } from './store/targets-store.ts';
import type { TrackingStore } from './store/tracking-store.ts';
import { madeOnUse } from '@hub/common';
import { distinct, trackingLoaderFactories } from './tracking-loaders.ts';

describe("a request's tracking inputs", () => {
  // Gathering is the caller's (`TrackingService`): the loaders only keep what it gathered.
  const loaders = () => madeOnUse(trackingLoaderFactories({} as TargetsStore, {} as TrackingStore, {} as Peers));

  it('are gathered once per agreement and kinds of record, however late the same tracking is asked again', async () => {
    const request = loaders();
    let gathered = 0;
    const gather = async () => ({ round: ++gathered });
    const first = await request.trackingInputs({ key: 'agreement-a', kinds: null }, gather);
    // Asked again after the first has ended, as by a later fetch of the same request.
    const again = await request.trackingInputs({ key: 'agreement-a', kinds: null }, gather);
    expect(again).toBe(first);
    expect(gathered).toBe(1);
    // The same kinds in another order are the same question.
    await request.trackingInputs({ key: 'agreement-a', kinds: ['SYNTHETIC_DEMO', 'ENTERED'] }, gather);
    await request.trackingInputs({ key: 'agreement-a', kinds: ['ENTERED', 'SYNTHETIC_DEMO'] }, gather);
    await request.trackingInputs({ key: 'agreement-b', kinds: null }, gather);
    expect(gathered).toBe(3);
  });

  it('are gathered anew by another request', async () => {
    let gathered = 0;
    const gather = async () => ++gathered;
    await loaders().trackingInputs({ key: 'agreement-a', kinds: null }, gather);
    await loaders().trackingInputs({ key: 'agreement-a', kinds: null }, gather);
    expect(gathered).toBe(2);
  });
});

describe('the ids a tracking asks for', () => {
  it('are each once, without null, in the order of their UTF-16 code units', () => {
    // Upper case before lower, '1' before '2' whatever follows, a CJK id after every ASCII one,
    // and a character outside the BMP (its high surrogate, U+D840) before U+FF5A.
    const ids = ['js-2', null, 'b', 'js-10', 'B', '新', 'a', 'b', '\uFF5A', '\u{20000}', null, 'a'];
    expect(distinct(ids)).toEqual(['B', 'a', 'b', 'js-10', 'js-2', '新', '\u{20000}', '\uFF5A']);
    expect(distinct([])).toEqual([]);
  });
});
