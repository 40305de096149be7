import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEDGER_TABLES, moveThrough, startTestHub, tableChecksums, type TestHub, type Topology } from '@hub/testkit';

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
      [await fund('recordPledge', tokens.member, '00000000-0000-4000-8000-000000000000', 5), 'STAGE_REFUSES_MONEY'],
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
