import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { queryRows } from '@hub/db';
import { LEDGER_TABLES, moveThrough, startTestHub, tableChecksums, type TestHub, type Topology } from '@hub/testkit';
import { FundingStore, type NewFundingEntry } from '../subgraphs/jiangsu/src/store/funding-store.ts';
import { waitForBlockedUpdates, waitForLockWaits } from './support/row-barrier.ts';

/**
 * The funding ledger across both provinces: who may record what at which stage, idempotency,
 * the invariants where the data lives, and the money on the Project entity.
 */
const RUIHUA = 'js-ruihua-charity-foundation';

const FUNDING = (mutation: string) => /* GraphQL */ `
  mutation ($input: FundingEntryInput!) { ${mutation}(input: $input) { id kind amount { fen } organization { id } } }
`;
const RECEIPT = `mutation ($input: ReceiptInput!) { recordReceipt(input: $input) { id kind amount { fen } fromOrganization { id nameZh } } }`;
const EXPENDITURE = `mutation ($input: ExpenditureInput!) { recordExpenditure(input: $input) { id kind amount { fen } purpose } }`;

describe.each<Topology>(['all-in-one', 'distributed'])('the funding ledger, %s', (topology) => {
  let hub: TestHub;
  let tokens: { member: string; otherMember: string; jiangsu: string; shaanxi: string };
  let key = 0;
  const nextKey = () => `test-key-${topology}-${(key += 1).toString().padStart(4, '0')}`;

  beforeAll(async () => {
    hub = await startTestHub(topology);
    tokens = {
      member: await hub.token('FOUNDATION_MEMBER', RUIHUA),
      otherMember: await hub.token('FOUNDATION_MEMBER', 'js-tongtai-charity-foundation'),
      jiangsu: await hub.token('JIANGSU_OFFICE'),
      shaanxi: await hub.token('SHAANXI_OFFICE'),
    };
  });
  afterAll(() => hub?.stop());

  const ledgerFingerprint = () => tableChecksums(hub.database.db, LEDGER_TABLES);

  async function raise(amountFen: number | null): Promise<string> {
    const result = await hub.query(
      `mutation ($a: MoneyInput) { raiseProjectNeed(input: { countyCode: "610929", titleZh: "白河县小学图书室", field: EDUCATION, amountSought: $a }) { id } }`,
      { a: amountFen === null ? null : { fen: amountFen } },
      { token: tokens.shaanxi },
    );
    return result.data!.raiseProjectNeed.id;
  }

  // The Shaanxi office publishes; either office may make the other moves.
  const moveTo = (id: string, stages: string[]) => moveThrough(hub, id, stages, tokens.shaanxi, { organizationId: RUIHUA });

  const fund = (mutation: string, token: string | undefined, projectId: string, fen: number, idempotencyKey = nextKey(), organizationId = RUIHUA) =>
    hub.query(FUNDING(mutation), { input: { projectId, organizationId, amount: { fen }, idempotencyKey } }, { token });

  it('follows a project from pledge to spending, keeping both books and reconciling them', async () => {
    const id = await raise(1_000_000);
    await moveTo(id, ['PUBLISHED']);
    expect((await fund('recordPledge', tokens.member, id, 300_000)).errors).toBeUndefined();
    // Pledges belong before signing: moving on from PUBLISHED continues at version 1.
    await moveThrough(hub, id, ['MATCHED', 'SCHEDULED', 'SIGNED'], tokens.jiangsu, { organizationId: RUIHUA });
    expect((await fund('recordCommitment', tokens.jiangsu, id, 800_000)).errors).toBeUndefined();
    expect((await fund('recordDisbursement', tokens.member, id, 500_000)).errors).toBeUndefined();
    const receipt = await hub.query(RECEIPT, { input: { projectId: id, fromOrganizationId: RUIHUA, amount: { fen: 450_000 }, idempotencyKey: nextKey() } }, { token: tokens.shaanxi });
    expect(receipt.data!.recordReceipt.fromOrganization).toEqual({ id: RUIHUA, nameZh: '江苏省瑞华慈善基金会' });
    expect((await hub.query(EXPENDITURE, { input: { projectId: id, amount: { fen: 200_000 }, purpose: '图书采购', idempotencyKey: nextKey() } }, { token: tokens.shaanxi })).errors).toBeUndefined();

    const result = await hub.query(
      `query ($id: ID!) { project(id: $id) {
        stage amountSought { fen } pledged { fen } committed { fen } disbursed { fen } received { fen } spent { fen } fundingGap { fen }
        funding { organization { nameZh } committed { fen } disbursed { fen } }
        reconciliation { disbursedByJiangsu { fen } receivedInShaanxi { fen } difference { fen } balanced
          byOrganization { organization { id nameZh } disbursed { fen } received { fen } difference { fen } } }
        fundingEntries { kind amount { fen } } fundsEntries { kind amount { fen } purpose }
      } }`,
      { id },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.project).toMatchObject({
      stage: 'SIGNED',
      amountSought: { fen: 1_000_000 },
      pledged: { fen: 300_000 },
      committed: { fen: 800_000 },
      disbursed: { fen: 500_000 },
      received: { fen: 450_000 },
      spent: { fen: 200_000 },
      fundingGap: { fen: 200_000 },
      funding: [{ organization: { nameZh: '江苏省瑞华慈善基金会' }, committed: { fen: 800_000 }, disbursed: { fen: 500_000 } }],
      reconciliation: {
        disbursedByJiangsu: { fen: 500_000 },
        receivedInShaanxi: { fen: 450_000 },
        difference: { fen: 50_000 },
        balanced: false,
        byOrganization: [
          { organization: { id: RUIHUA, nameZh: '江苏省瑞华慈善基金会' }, disbursed: { fen: 500_000 }, received: { fen: 450_000 }, difference: { fen: 50_000 } },
        ],
      },
    });
    expect(result.data!.project.fundingEntries.map((e: { kind: string }) => e.kind)).toEqual(['PLEDGE', 'COMMITMENT', 'DISBURSEMENT']);
  });

  async function signedProject(committedFen: number): Promise<string> {
    const id = await raise(5_000_000);
    await moveTo(id, ['PUBLISHED', 'MATCHED', 'SCHEDULED', 'SIGNED']);
    if (committedFen > 0) expect((await fund('recordCommitment', tokens.jiangsu, id, committedFen)).errors).toBeUndefined();
    return id;
  }

  it('records the same disbursement sent twice with one key once, and refuses the key for another amount', async () => {
    const id = await signedProject(1_000_000);
    const idempotencyKey = nextKey();
    const first = await fund('recordDisbursement', tokens.member, id, 400_000, idempotencyKey);
    const again = await fund('recordDisbursement', tokens.member, id, 400_000, idempotencyKey);
    expect(again.data!.recordDisbursement.id).toBe(first.data!.recordDisbursement.id);
    const [concurrentA, concurrentB] = await Promise.all([
      fund('recordDisbursement', tokens.member, id, 100_000, `${idempotencyKey}-c`),
      fund('recordDisbursement', tokens.member, id, 100_000, `${idempotencyKey}-c`),
    ]);
    expect(concurrentA.data!.recordDisbursement.id).toBe(concurrentB.data!.recordDisbursement.id);
    const reused = await fund('recordDisbursement', tokens.member, id, 999, idempotencyKey);
    expect(reused.errors?.[0]?.extensions?.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const check = await hub.query(`query ($id: ID!) { project(id: $id) { disbursed { fen } fundingEntries { kind } } }`, { id });
    expect(check.data!.project.disbursed).toEqual({ fen: 500_000 });
    expect(check.data!.project.fundingEntries.filter((e: { kind: string }) => e.kind === 'DISBURSEMENT')).toHaveLength(2);
  });

  it('refuses over-disbursement and over-spending with nothing written', async () => {
    const id = await signedProject(300_000);
    expect((await fund('recordDisbursement', tokens.jiangsu, id, 200_000)).errors).toBeUndefined();
    const before = await ledgerFingerprint();
    const over = await fund('recordDisbursement', tokens.jiangsu, id, 100_001);
    expect(over.errors?.[0]?.extensions).toMatchObject({ code: 'OVER_DISBURSEMENT', committedFen: 300_000, disbursedFen: 200_000 });
    expect(await ledgerFingerprint()).toEqual(before);

    expect((await hub.query(RECEIPT, { input: { projectId: id, amount: { fen: 150_000 }, idempotencyKey: nextKey() } }, { token: tokens.shaanxi })).errors).toBeUndefined();
    const afterReceipt = await ledgerFingerprint();
    const overSpent = await hub.query(EXPENDITURE, { input: { projectId: id, amount: { fen: 150_001 }, purpose: '设备', idempotencyKey: nextKey() } }, { token: tokens.shaanxi });
    expect(overSpent.errors?.[0]?.extensions).toMatchObject({ code: 'OVER_SPENDING', receivedFen: 150_000, spentFen: 0 });
    expect(await ledgerFingerprint()).toEqual(afterReceipt);
  });

  it('refuses money at the wrong stage, on a cancelled project, and from the wrong caller, writing nothing', async () => {
    const published = await raise(100_000);
    await moveTo(published, ['PUBLISHED']);
    const cancelled = await signedProject(100_000);
    await moveThrough(hub, cancelled, ['CANCELLED'], tokens.jiangsu);
    const before = await ledgerFingerprint();
    const attempts = [
      [await fund('recordCommitment', tokens.jiangsu, published, 100), 'STAGE_REFUSES_MONEY'],
      [await fund('recordDisbursement', tokens.jiangsu, cancelled, 100), 'STAGE_REFUSES_MONEY'],
      [await fund('recordPledge', tokens.member, cancelled, 100), 'STAGE_REFUSES_MONEY'],
      [await hub.query(RECEIPT, { input: { projectId: cancelled, amount: { fen: 100 }, idempotencyKey: nextKey() } }, { token: tokens.shaanxi }), 'STAGE_REFUSES_MONEY'],
      [await fund('recordPledge', tokens.jiangsu, published, 100), 'FORBIDDEN'],
      [await fund('recordPledge', tokens.otherMember, published, 100), 'FORBIDDEN'],
      [await fund('recordPledge', undefined, published, 100), 'UNAUTHENTICATED'],
      [await hub.query(RECEIPT, { input: { projectId: published, amount: { fen: 100 }, idempotencyKey: nextKey() } }, { token: tokens.jiangsu }), 'FORBIDDEN'],
      [await fund('recordPledge', tokens.member, published, -5), 'BAD_USER_INPUT'],
      [await fund('recordPledge', tokens.member, published, 5, 'short'), 'BAD_USER_INPUT'],
      // A project nobody raised: the same answer a draft gets from those who may not see it.
      [await fund('recordPledge', tokens.member, '00000000-0000-4000-8000-000000000000', 5), 'NOT_FOUND'],
    ] as const;
    for (const [result, code] of attempts) expect(result.errors?.[0]?.extensions?.code).toBe(code);
    expect(await ledgerFingerprint()).toEqual(before);
  });

  it('shows money per stage in the funnel', async () => {
    const result = await hub.query(`{ funnel { stage projectCount committed { fen } disbursed { fen } amountSought { fen } received { fen } } }`);
    expect(result.errors).toBeUndefined();
    const signed = result.data!.funnel.find((s: { stage: string }) => s.stage === 'SIGNED');
    expect(signed.projectCount).toBeGreaterThanOrEqual(3);
    expect(signed.committed.fen).toBeGreaterThanOrEqual(800_000 + 1_000_000 + 300_000);
    expect(signed.amountSought.fen).toBeGreaterThanOrEqual(1_000_000 + 5_000_000 * 2);
  });
});

/**
 * An idempotency key names one entry in one organization's books: two foundations choosing
 * the same key (README's example key, copied by both) each get their own entry and learn
 * nothing of the other's; within one organization the key still means one entry, however the
 * copies arrive.
 */
describe("idempotency keys in Jiangsu's books are each organization's own", () => {
  const TONGTAI = 'js-tongtai-charity-foundation';
  // README's example key, which any two clients copying it would share.
  const README_KEY = 'b8f1c7e2-pledge-1';
  let hub: TestHub;
  let tokens: { ruihua: string; tongtai: string; jiangsu: string; shaanxi: string };
  let serial = 0;
  const uniqueKey = (label: string) => `${label}-5d0c9a7e-${(serial += 1)}`;

  beforeAll(async () => {
    hub = await startTestHub('all-in-one', { RATE_LIMIT_PER_ADDRESS: '100000', RATE_LIMIT_PER_IDENTITY: '100000' });
    tokens = {
      ruihua: await hub.token('FOUNDATION_MEMBER', RUIHUA),
      tongtai: await hub.token('FOUNDATION_MEMBER', TONGTAI),
      jiangsu: await hub.token('JIANGSU_OFFICE'),
      shaanxi: await hub.token('SHAANXI_OFFICE'),
    };
  });
  afterAll(() => hub?.stop());

  async function publishedProject(): Promise<string> {
    const raised = await hub.query(
      `mutation { raiseProjectNeed(input: { countyCode: "610929", titleZh: "白河县卫生室", field: MEDICAL_AID, amountSought: { fen: 9000000 } }) { id } }`,
      {},
      { token: tokens.shaanxi },
    );
    const id = raised.data!.raiseProjectNeed.id as string;
    await moveThrough(hub, id, ['PUBLISHED'], tokens.shaanxi);
    return id;
  }

  const pledge = (token: string, organizationId: string, projectId: string, fen: number, idempotencyKey: string) =>
    hub.query(FUNDING('recordPledge'), { input: { projectId, organizationId, amount: { fen }, idempotencyKey } }, { token });

  const entriesWithKey = (idempotencyKey: string) =>
    queryRows<{ organization_id: string; amount_fen: string }>(
      hub.database.db,
      sql`select organization_id, amount_fen::text from jiangsu.funding_entry where idempotency_key = ${idempotencyKey} order by organization_id`,
    );

  it("gives two foundations pledging under one key each their own entry, and each retry its own foundation's entry", async () => {
    const id = await publishedProject();
    const ruihua = await pledge(tokens.ruihua, RUIHUA, id, 120_000, README_KEY);
    const tongtai = await pledge(tokens.tongtai, TONGTAI, id, 30_000, README_KEY);
    expect(ruihua.errors).toBeUndefined();
    expect(tongtai.errors).toBeUndefined();
    expect(ruihua.data!.recordPledge).toMatchObject({ amount: { fen: 120_000 }, organization: { id: RUIHUA } });
    expect(tongtai.data!.recordPledge).toMatchObject({ amount: { fen: 30_000 }, organization: { id: TONGTAI } });
    expect(tongtai.data!.recordPledge.id).not.toBe(ruihua.data!.recordPledge.id);

    const ruihuaAgain = await pledge(tokens.ruihua, RUIHUA, id, 120_000, README_KEY);
    const tongtaiAgain = await pledge(tokens.tongtai, TONGTAI, id, 30_000, README_KEY);
    expect(ruihuaAgain.data!.recordPledge.id).toBe(ruihua.data!.recordPledge.id);
    expect(tongtaiAgain.data!.recordPledge.id).toBe(tongtai.data!.recordPledge.id);

    expect(await entriesWithKey(README_KEY)).toEqual([
      { organization_id: RUIHUA, amount_fen: '120000' },
      { organization_id: TONGTAI, amount_fen: '30000' },
    ]);
    const totals = await hub.query(`query ($id: ID!) { project(id: $id) { pledged { fen } } }`, { id });
    expect(totals.data!.project.pledged).toEqual({ fen: 150_000 });
  });

  it('refuses a foundation its own key for another request with IDEMPOTENCY_KEY_REUSED, writing nothing', async () => {
    const id = await publishedProject();
    const other = await publishedProject();
    const key = uniqueKey('ruihua-pledge');
    expect((await pledge(tokens.ruihua, RUIHUA, id, 50_000, key)).errors).toBeUndefined();
    const before = await tableChecksums(hub.database.db, LEDGER_TABLES);
    for (const reused of [
      await pledge(tokens.ruihua, RUIHUA, id, 50_001, key),
      await pledge(tokens.ruihua, RUIHUA, other, 50_000, key),
    ]) {
      expect(reused.errors?.[0]?.extensions).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', field: 'input.idempotencyKey' });
    }
    expect(await tableChecksums(hub.database.db, LEDGER_TABLES)).toEqual(before);
  });

  it("keeps the office's commitments for two organizations under one key apart, one in each organization's books", async () => {
    const raised = await hub.query(
      `mutation { raiseProjectNeed(input: { countyCode: "610929", titleZh: "白河县养老院", field: MEDICAL_AID, amountSought: { fen: 9000000 } }) { id } }`,
      {},
      { token: tokens.shaanxi },
    );
    const id = raised.data!.raiseProjectNeed.id as string;
    await moveThrough(hub, id, ['PUBLISHED', 'MATCHED', 'SCHEDULED', 'SIGNED'], tokens.shaanxi, { organizationId: RUIHUA });
    const key = uniqueKey('office-commitment');
    const commit = (organizationId: string) =>
      hub.query(FUNDING('recordCommitment'), { input: { projectId: id, organizationId, amount: { fen: 70_000 }, idempotencyKey: key } }, { token: tokens.jiangsu });
    const [ruihua, tongtai] = [await commit(RUIHUA), await commit(TONGTAI)];
    expect(ruihua.errors).toBeUndefined();
    expect(tongtai.errors).toBeUndefined();
    expect(await entriesWithKey(key)).toEqual([
      { organization_id: RUIHUA, amount_fen: '70000' },
      { organization_id: TONGTAI, amount_fen: '70000' },
    ]);
  });

  // The database's unique index alone decides between copies written together, with no check in
  // front of the store's write (PGlite runs the two transactions in turn, a server side by side).
  it('records one entry for two copies of one request written together, and one per organization for one key', async () => {
    const id = await publishedProject();
    const store = new FundingStore(hub.database.db);
    const entry = (organizationId: string, idempotencyKey: string): NewFundingEntry => ({
      projectId: id,
      organizationId,
      kind: 'PLEDGE',
      amountFen: 8_000n,
      note: null,
      idempotencyKey,
      requestFingerprint: `fingerprint-${organizationId}`,
      recordedByRole: 'FOUNDATION_MEMBER',
      recordedBySubject: null,
    });
    const key = uniqueKey('store-copies');
    const copies = await Promise.all([store.record(entry(RUIHUA, key)), store.record(entry(RUIHUA, key))]);
    expect(copies.map((copy) => (copy.type === 'recorded' ? copy.replayed : copy.type)).sort()).toEqual([false, true]);
    const ids = copies.map((copy) => (copy.type === 'recorded' ? copy.entry.id : null));
    expect(ids[0]).toBe(ids[1]);

    const shared = uniqueKey('store-shared');
    const apart = await Promise.all([store.record(entry(RUIHUA, shared)), store.record(entry(TONGTAI, shared))]);
    expect(apart.map((outcome) => (outcome.type === 'recorded' ? outcome.replayed : outcome.type))).toEqual([false, false]);
    expect(await entriesWithKey(key)).toHaveLength(1);
    expect(await entriesWithKey(shared)).toHaveLength(2);
  });

  // Through the gateway, on a Postgres server: the project's totals row is held, so the first
  // copy waits there with its entry inserted but not committed; the second passes the key
  // lookup (it sees no entry yet) and every other check, and waits at its own write. Only the
  // unique index can then stop it.
  it.runIf(process.env.TEST_DATABASE_URL)(
    'records one pledge from two copies with one key both past every check before either commits',
    async () => {
      const id = await publishedProject();
      expect((await pledge(tokens.tongtai, TONGTAI, id, 1_000, uniqueKey('totals-row'))).errors).toBeUndefined();
      const key = uniqueKey('race');
      let copies: Promise<unknown>[] = [];
      await hub.database.db.transaction(async (holder) => {
        await holder.execute(sql`select 1 from jiangsu.funding_project_total where project_id = ${id} for update`);
        const first = pledge(tokens.ruihua, RUIHUA, id, 25_000, key);
        await waitForBlockedUpdates(hub, 'funding_project_total', 1);
        const second = pledge(tokens.ruihua, RUIHUA, id, 25_000, key);
        copies = [first, second];
        for (const copy of copies) copy.catch(() => {});
        // The second waits at the key (its insert) or, were the key not unique, at the account.
        await waitForLockWaits(hub, ['insert into "jiangsu".%', 'update "jiangsu".%'], 2, 'writes to jiangsu');
      });
      const [first, second] = (await Promise.all(copies)) as Awaited<ReturnType<typeof pledge>>[];
      expect(first!.errors).toBeUndefined();
      expect(second!.errors).toBeUndefined();
      expect(second!.data!.recordPledge.id).toBe(first!.data!.recordPledge.id);
      expect(await entriesWithKey(key)).toHaveLength(1);
      const totals = await hub.query(`query ($id: ID!) { project(id: $id) { pledged { fen } } }`, { id });
      expect(totals.data!.project.pledged).toEqual({ fen: 26_000 });
    },
  );

  it('names the real entry limit when an amount is less than 1 fen', async () => {
    const id = await publishedProject();
    for (const fen of [0, -3]) {
      const result = await pledge(tokens.ruihua, RUIHUA, id, fen, uniqueKey('bad-amount'));
      expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.amount.fen' });
      // 100,000,000,000 fen (1,000,000,000.00 yuan): one entry's limit (docs/decisions/0012).
      expect(result.errors?.[0]?.message).toContain('from 1 to 100000000000 (1000000000.00 yuan)');
      expect(result.errors?.[0]?.message).not.toContain(String(Number.MAX_SAFE_INTEGER));
    }
  });
});
