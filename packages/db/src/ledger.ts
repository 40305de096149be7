import type { Db } from './database.ts';

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

export type RecordOnce<Entry> = { type: 'recorded'; entry: Entry; replayed: boolean } | { type: 'key-reused' };

/**
 * The idempotent write both provinces' ledgers share, in one transaction: insert the entry
 * unless its idempotency key is taken; if it is, the earlier entry is the answer when it asked
 * for the same thing (a retry), and a reused key otherwise. A new entry is then applied to its
 * account, whose checks enforce the invariants: when one fails, the whole write rolls back.
 */
export function recordOnce<Entry extends { requestFingerprint: string | null }>(
  db: Db,
  steps: {
    fingerprint: string;
    insert(tx: Tx): Promise<Entry | undefined>;
    findByKey(tx: Tx): Promise<Entry | undefined>;
    /** Left out for a record that is not money: a new organization or need is the whole write. */
    applyToAccount?(tx: Tx, entry: Entry): Promise<unknown>;
  },
): Promise<RecordOnce<Entry>> {
  return db.transaction(async (tx) => {
    const inserted = await steps.insert(tx);
    if (!inserted) {
      const existing = await steps.findByKey(tx);
      return existing && existing.requestFingerprint === steps.fingerprint
        ? { type: 'recorded', entry: existing, replayed: true }
        : { type: 'key-reused' };
    }
    await steps.applyToAccount?.(tx, inserted);
    return { type: 'recorded', entry: inserted, replayed: false };
  });
}
