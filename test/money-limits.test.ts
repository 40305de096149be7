import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { checkViolation } from '@hub/db';
import { moveThrough, startTestHub, tableChecksums, tablesOf, type TestHub, type Topology } from '@hub/testkit';
import { FundingStore } from '../subgraphs/jiangsu/src/store/funding-store.ts';
import { FundsStore } from '../subgraphs/shaanxi/src/store/funds-store.ts';
import { ShaanxiStore } from '../subgraphs/shaanxi/src/store/shaanxi-store.ts';

/**
 * The money limits: one entry is at most 1,000,000,000 yuan (100,000,000,000 fen), and so is
 * each total of one project (pledged, committed, disbursed, received, spent) and what a need
 * seeks. An entry or a need that would cross a limit is refused with AMOUNT_LIMIT_EXCEEDED and
 * nothing is written; every total is exact to the fen, and no total ever turns an answer into
 * `data: null`.
 */
const LIMIT = 100_000_000_000;
const RUIHUA = 'js-ruihua-charity-foundation';
const TONGTAI = 'js-tongtai-charity-foundation';
const MAX_SAFE = Number.MAX_SAFE_INTEGER; // 2^53 − 1 fen, the largest amount the old entry check let in

const FUNDING = (mutation: string) => /* GraphQL */ `
  mutation ($input: FundingEntryInput!) { ${mutation}(input: $input) { id amount { fen yuan } } }
`;
const RECEIPT = `mutation ($input: ReceiptInput!) { recordReceipt(input: $input) { id amount { fen } } }`;
const EXPENDITURE = `mutation ($input: ExpenditureInput!) { recordExpenditure(input: $input) { id amount { fen } } }`;

/** Row count and checksum of every table of the three subgraphs. */
async function everyTable(hub: TestHub): Promise<Record<string, string>> {
  return tableChecksums(hub.database.db, await tablesOf(hub.database.db, ['shaanxi', 'jiangsu', 'pairing']));
}

/**
 * The embedded database works in this thread, so seconds of bulk SQL hold up the event loop and
 * the server's keep-alive timers with it. Letting those overdue timers run first means an idle
 * connection is closed before the next request, rather than under it.
 */
const eventLoopCaughtUp = () => new Promise((resolve) => setTimeout(resolve, 50));

describe.each<Topology>(['all-in-one', 'distributed'])('money limits, %s', (topology) => {
  let hub: TestHub;
  let tokens: { ruihua: string; tongtai: string; jiangsu: string; shaanxi: string };
  let key = 0;
  const nextKey = () => `limits-${topology}-${(key += 1).toString().padStart(4, '0')}`;

  beforeAll(async () => {
    hub = await startTestHub(topology);
    tokens = {
      ruihua: await hub.token('FOUNDATION_MEMBER', RUIHUA),
      tongtai: await hub.token('FOUNDATION_MEMBER', TONGTAI),
      jiangsu: await hub.token('JIANGSU_OFFICE'),
      shaanxi: await hub.token('SHAANXI_OFFICE'),
    };
  });
  afterAll(() => hub?.stop());

  async function raise(countyCode: string, amountFen: number | null): Promise<string> {
    const result = await hub.query(
      `mutation ($c: DivisionCode!, $a: MoneyInput) { raiseProjectNeed(input: { countyCode: $c, titleZh: "村级道路硬化", field: INFRASTRUCTURE, amountSought: $a }) { id } }`,
      { c: countyCode, a: amountFen === null ? null : { fen: amountFen } },
      { token: tokens.shaanxi },
    );
    expect(result.errors).toBeUndefined();
    return result.data!.raiseProjectNeed.id;
  }

  /** The Shaanxi office may make every move of the pipeline. */
  const move = (id: string, stages: string[]) => moveThrough(hub, id, stages, tokens.shaanxi);

  const fund = (mutation: string, token: string, projectId: string, fen: number, organizationId = RUIHUA) =>
    hub.query(FUNDING(mutation), { input: { projectId, organizationId, amount: { fen }, idempotencyKey: nextKey() } }, { token });
  const receive = (projectId: string, fen: number) =>
    hub.query(RECEIPT, { input: { projectId, fromOrganizationId: RUIHUA, amount: { fen }, idempotencyKey: nextKey() } }, { token: tokens.shaanxi });
  const spend = (projectId: string, fen: number) =>
    hub.query(EXPENDITURE, { input: { projectId, amount: { fen }, purpose: '工程款', idempotencyKey: nextKey() } }, { token: tokens.shaanxi });

  /** Sends a request that must be refused by a limit, and checks that not one row changed. */
  async function refusedByLimit(
    send: () => Promise<{ errors?: { extensions?: Record<string, any> }[]; data?: unknown }>,
    limit: string,
    field = 'input.amount.fen',
  ) {
    const before = await everyTable(hub);
    const result = await send();
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'AMOUNT_LIMIT_EXCEEDED', limit, limitFen: LIMIT, field });
    expect(await everyTable(hub)).toEqual(before);
  }

  it('refuses one entry of each kind over 1,000,000,000 yuan, writing nothing', async () => {
    const published = await raise('610621', null);
    await move(published, ['PUBLISHED']);
    await refusedByLimit(() => fund('recordPledge', tokens.ruihua, published, LIMIT + 1), 'ENTRY');
    await refusedByLimit(() => fund('recordPledge', tokens.ruihua, published, MAX_SAFE), 'ENTRY');

    const signed = await raise('610621', null);
    await move(signed, ['PUBLISHED', 'MATCHED', 'SCHEDULED', 'SIGNED']);
    await refusedByLimit(() => fund('recordCommitment', tokens.jiangsu, signed, LIMIT + 1), 'ENTRY');
    expect((await fund('recordCommitment', tokens.jiangsu, signed, 1_000)).errors).toBeUndefined();
    await refusedByLimit(() => fund('recordDisbursement', tokens.jiangsu, signed, LIMIT + 1), 'ENTRY');
    await refusedByLimit(() => receive(signed, LIMIT + 1), 'ENTRY');
    expect((await receive(signed, 1_000)).errors).toBeUndefined();
    await refusedByLimit(() => spend(signed, LIMIT + 1), 'ENTRY');
  });

  it('refuses the entry that would take a project total over the limit, across organizations, writing nothing', async () => {
    const id = await raise('610825', LIMIT);
    await move(id, ['PUBLISHED']);
    // Pledged: 99,999,999,999 + 1 fen from two foundations is exactly the limit; one fen more
    // from the second crosses it, though that foundation's own account would stay small.
    expect((await fund('recordPledge', tokens.ruihua, id, LIMIT - 1)).errors).toBeUndefined();
    expect((await fund('recordPledge', tokens.tongtai, id, 1, TONGTAI)).errors).toBeUndefined();
    await refusedByLimit(() => fund('recordPledge', tokens.tongtai, id, 1, TONGTAI), 'PROJECT_TOTAL');
    await refusedByLimit(() => fund('recordPledge', tokens.ruihua, id, 1), 'PROJECT_TOTAL');

    await move(id, ['MATCHED', 'SCHEDULED', 'SIGNED']);
    expect((await fund('recordCommitment', tokens.jiangsu, id, LIMIT)).errors).toBeUndefined();
    await refusedByLimit(() => fund('recordCommitment', tokens.jiangsu, id, 1, TONGTAI), 'PROJECT_TOTAL');
    expect((await fund('recordDisbursement', tokens.jiangsu, id, LIMIT)).errors).toBeUndefined();
    expect((await receive(id, LIMIT)).errors).toBeUndefined();
    await refusedByLimit(() => receive(id, 1), 'PROJECT_TOTAL');
    expect((await spend(id, LIMIT)).errors).toBeUndefined();

    const result = await hub.query(
      `query ($id: ID!) { project(id: $id) { pledged { fen yuan } committed { fen yuan } disbursed { fen yuan } received { fen yuan } spent { fen yuan } } }`,
      { id },
    );
    expect(result.errors).toBeUndefined();
    const atLimit = { fen: 100_000_000_000, yuan: '1000000000.00' };
    expect(result.data!.project).toEqual({ pledged: atLimit, committed: atLimit, disbursed: atLimit, received: atLimit, spent: atLimit });
  });

  it('refuses a need seeking more than one project may carry as over the limit, raised or edited, writing nothing', async () => {
    const raiseSeeking = (fen: number) =>
      hub.query(
        `mutation ($a: MoneyInput) { raiseProjectNeed(input: { countyCode: "610730", titleZh: "超额需求", field: EDUCATION, amountSought: $a }) { id } }`,
        { a: { fen } },
        { token: tokens.shaanxi },
      );
    await refusedByLimit(() => raiseSeeking(LIMIT + 1), 'PROJECT_TOTAL', 'input.amountSought.fen');
    await refusedByLimit(() => raiseSeeking(MAX_SAFE), 'PROJECT_TOTAL', 'input.amountSought.fen');

    const id = await raise('610730', LIMIT);
    const edit = (fen: number) =>
      hub.query(
        `mutation ($id: ID!, $a: MoneyInput) { updateProjectNeed(id: $id, expectedVersion: 1, input: { amountSought: $a }) { id } }`,
        { id, a: { fen } },
        { token: tokens.shaanxi },
      );
    await refusedByLimit(() => edit(LIMIT + 1), 'PROJECT_TOTAL', 'input.amountSought.fen');
  });

  it('maps each limit check to its limit in the stores, for a write no edge check has seen', async () => {
    // The edge refuses these amounts before a store is reached, so the stores are called as a
    // resolver would call them with an amount that slipped past it: the database's check refuses
    // the write and the store answers which limit it was, instead of throwing.
    const id = await raise('610430', null);
    const overLimit = BigInt(LIMIT) + 1n;
    const recorded = { note: null, requestFingerprint: 'direct', recordedBySubject: null };
    const before = await everyTable(hub);
    expect(
      await new FundingStore(hub.database.db).record({
        ...recorded,
        projectId: id,
        organizationId: RUIHUA,
        kind: 'PLEDGE',
        amountFen: overLimit,
        idempotencyKey: nextKey(),
        recordedByRole: 'FOUNDATION_MEMBER',
      }),
    ).toEqual({ type: 'over-limit', limit: 'ENTRY' });
    expect(
      await new FundsStore(hub.database.db).record({
        ...recorded,
        projectId: id,
        kind: 'RECEIPT',
        amountFen: overLimit,
        fromOrganizationId: null,
        purpose: null,
        idempotencyKey: nextKey(),
        recordedByRole: 'SHAANXI_OFFICE',
      }),
    ).toEqual({ type: 'over-limit', limit: 'ENTRY' });
    const needs = new ShaanxiStore(hub.database.db, 'drafts-included');
    expect(
      await needs.insertProjectNeed({
        countyCode: '610430',
        titleZh: '直写需求',
        field: 'EDUCATION',
        amountSoughtFen: overLimit,
        idempotencyKey: null,
        requestFingerprint: null,
      }),
    ).toEqual({ type: 'over-limit', limit: 'PROJECT_TOTAL' });
    expect(await needs.updateProjectNeed(id, 1, { amountSoughtFen: overLimit })).toEqual({ type: 'over-limit', limit: 'PROJECT_TOTAL' });
    expect(await everyTable(hub)).toEqual(before);
  });

  it('answers the old overflow exactly: 2^53 − 1 fen pledged twice is refused, and pledged, funnel and pipeline keep answering', async () => {
    const id = await raise('610124', null);
    await move(id, ['PUBLISHED']);
    await refusedByLimit(() => fund('recordPledge', tokens.ruihua, id, MAX_SAFE), 'ENTRY');
    await refusedByLimit(() => fund('recordPledge', tokens.tongtai, id, MAX_SAFE, TONGTAI), 'ENTRY');
    expect((await fund('recordPledge', tokens.ruihua, id, LIMIT)).errors).toBeUndefined();
    await refusedByLimit(() => fund('recordPledge', tokens.tongtai, id, LIMIT, TONGTAI), 'PROJECT_TOTAL');

    const result = await hub.query(
      `query ($id: ID!) {
        project(id: $id) { pledged { fen yuan } }
        funnel(filter: { countyCode: "610124" }) { stage pledged { fen yuan } }
        pipeline(filter: { countyCode: "610124" }) { nodes { id pledged { fen yuan } } }
      }`,
      { id },
    );
    expect(result.errors).toBeUndefined();
    const atLimit = { fen: 100_000_000_000, yuan: '1000000000.00' };
    expect(result.data!.project.pledged).toEqual(atLimit);
    expect(result.data!.funnel.find((stage: { stage: string }) => stage.stage === 'PUBLISHED').pledged).toEqual(atLimit);
    expect(result.data!.pipeline.nodes).toEqual([{ id, pledged: atLimit }]);
  });

  it('sums a funnel stage near the limits exactly to the fen', async () => {
    // County 610324 (扶风县), two signed projects, worked out by hand:
    //   A seeks 100,000,000,000; pledged 99,999,999,999 + 1; committed 100,000,000,000;
    //     disbursed 99,999,999,999; received 99,999,999,998; spent 1.
    //   B seeks 99,999,999,999; pledged 12,345; committed 99,999,999,999; disbursed 1;
    //     received 99,999,999,999; spent 99,999,999,999.
    const a = await raise('610324', LIMIT);
    const b = await raise('610324', LIMIT - 1);
    await move(a, ['PUBLISHED']);
    await move(b, ['PUBLISHED']);
    expect((await fund('recordPledge', tokens.ruihua, a, LIMIT - 1)).errors).toBeUndefined();
    expect((await fund('recordPledge', tokens.tongtai, a, 1, TONGTAI)).errors).toBeUndefined();
    expect((await fund('recordPledge', tokens.ruihua, b, 12_345)).errors).toBeUndefined();
    await move(a, ['MATCHED', 'SCHEDULED', 'SIGNED']);
    await move(b, ['MATCHED', 'SCHEDULED', 'SIGNED']);
    for (const [id, committed, disbursed, received, spent] of [
      [a, LIMIT, LIMIT - 1, LIMIT - 2, 1],
      [b, LIMIT - 1, 1, LIMIT - 1, LIMIT - 1],
    ] as [string, number, number, number, number][]) {
      expect((await fund('recordCommitment', tokens.jiangsu, id, committed)).errors).toBeUndefined();
      expect((await fund('recordDisbursement', tokens.jiangsu, id, disbursed)).errors).toBeUndefined();
      expect((await receive(id, received)).errors).toBeUndefined();
      expect((await spend(id, spent)).errors).toBeUndefined();
    }

    const result = await hub.query(
      `{ funnel(filter: { countyCode: "610324" }) {
          stage projectCount
          amountSought { fen yuan } pledged { fen yuan } committed { fen yuan } disbursed { fen yuan } received { fen yuan } spent { fen yuan }
      } }`,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.funnel.find((stage: { stage: string }) => stage.stage === 'SIGNED')).toEqual(
      {
        stage: 'SIGNED',
        projectCount: 2,
        amountSought: { fen: 199_999_999_999, yuan: '1999999999.99' },
        pledged: { fen: 100_000_012_345, yuan: '1000000123.45' },
        committed: { fen: 199_999_999_999, yuan: '1999999999.99' },
        disbursed: { fen: 100_000_000_000, yuan: '1000000000.00' },
        received: { fen: 199_999_999_997, yuan: '1999999999.97' },
        spent: { fen: 100_000_000_000, yuan: '1000000000.00' },
      },
    );
  });

  // All-in-one only: routed over HTTP, the 90,072 project ids the gateway sends the province
  // subgraphs for one stage are several megabytes, over a subgraph's request body limit.
  it.skipIf(topology === 'distributed')('answers a funnel stage summing past 2^53 − 1 fen with the exact yuan and a null fen at that path', async () => {
    // 90,072 signed needs in 白河县, each seeking and pledged exactly the project limit (a state
    // the ledger allows), written straight into the tables since that many requests would take
    // many minutes: 90,072 × 1,000,000,000 yuan = 90,072,000,000,000.00 yuan, which is
    // 9,007,200,000,000,000 fen, just past 2^53 − 1 = 9,007,199,254,740,991. Shaanxi sums what
    // the needs seek, Jiangsu what was pledged: each subgraph must answer the fen of its own sum.
    const county = '610929';
    const projects = 90_072;
    await hub.database.db.execute(sql`
      with need as (
        insert into shaanxi.project_need (county_code, title_zh, field, amount_sought_fen)
        select ${county}, '村级道路硬化', 'EDUCATION', ${BigInt(LIMIT)} from generate_series(1, ${projects})
        returning id
      ), pipeline as (
        insert into pairing.project_pipeline (project_id, stage, version, county_code, prefecture_code, field)
        select id, 'SIGNED', 1, ${county}, '610900', 'EDUCATION' from need
        returning project_id
      )
      insert into jiangsu.funding_project_total (project_id, pledged_fen) select project_id, ${BigInt(LIMIT)} from pipeline`);
    await eventLoopCaughtUp();
    try {
      const result = await hub.query(
        `query ($county: DivisionCode!) { funnel(filter: { countyCode: $county }) { stage projectCount amountSought { fen yuan } pledged { fen yuan } } }`,
        { county },
        { token: tokens.shaanxi },
      );
      const beyond = { fen: null, yuan: '90072000000000.00' };
      const signed = result.data!.funnel.findIndex((stage: { stage: string }) => stage.stage === 'SIGNED');
      expect(result.data!.funnel[signed]).toEqual({ stage: 'SIGNED', projectCount: projects, amountSought: beyond, pledged: beyond });
      const zero = { fen: 0, yuan: '0.00' };
      expect(result.data!.funnel.find((stage: { stage: string }) => stage.stage === 'PUBLISHED')).toMatchObject({ amountSought: zero, pledged: zero });
      const errors = (result.errors ?? []).map((error: { path?: unknown[]; extensions?: Record<string, any> }) => ({
        path: error.path,
        code: error.extensions?.code,
        yuan: error.extensions?.yuan,
      }));
      expect(errors).toHaveLength(2);
      expect(errors).toEqual(
        expect.arrayContaining([
          { path: ['funnel', signed, 'amountSought', 'fen'], code: 'AMOUNT_BEYOND_EXACT_RANGE', yuan: beyond.yuan },
          { path: ['funnel', signed, 'pledged', 'fen'], code: 'AMOUNT_BEYOND_EXACT_RANGE', yuan: beyond.yuan },
        ]),
      );
    } finally {
      await hub.database.db.execute(sql`delete from jiangsu.funding_project_total where project_id in
        (select project_id from pairing.project_pipeline where county_code = ${county})`);
      await hub.database.db.execute(sql`delete from pairing.project_pipeline where county_code = ${county}`);
      await hub.database.db.execute(sql`delete from shaanxi.project_need where county_code = ${county}`);
      await eventLoopCaughtUp();
    }
  }, 120_000);

  it('keeps the limits in the database itself, whatever writes the row', async () => {
    const id = await raise('610331', null);
    const refusal = async (statement: ReturnType<typeof sql>) => {
      try {
        await hub.database.db.execute(statement);
      } catch (error) {
        return checkViolation(error);
      }
      return 'written';
    };
    const entry = (amount: bigint) => sql`
      insert into jiangsu.funding_entry (project_id, organization_id, kind, amount_fen, idempotency_key, request_fingerprint, recorded_by_role)
      values (${id}, ${RUIHUA}, 'PLEDGE', ${amount}, ${`raw-${amount}`}, 'raw', 'JIANGSU_OFFICE')`;
    expect(await refusal(entry(BigInt(LIMIT) + 1n))).toBe('funding_entry_amount_within_limit');
    expect(await refusal(sql`
      insert into shaanxi.funds_entry (project_id, kind, amount_fen, idempotency_key, request_fingerprint, recorded_by_role)
      values (${id}, 'RECEIPT', ${BigInt(LIMIT) + 1n}, 'raw-receipt', 'raw', 'SHAANXI_OFFICE')`)).toBe('funds_entry_amount_within_limit');
    expect(await refusal(sql`
      insert into jiangsu.funding_account (project_id, organization_id, pledged_fen) values (${id}, ${RUIHUA}, ${BigInt(LIMIT) + 1n})`)).toBe(
      'funding_account_within_limit',
    );
    expect(await refusal(sql`
      insert into jiangsu.funding_project_total (project_id, disbursed_fen, committed_fen) values (${id}, ${BigInt(LIMIT) + 1n}, ${BigInt(LIMIT) + 1n})`)).toBe(
      'funding_project_total_within_limit',
    );
    expect(await refusal(sql`
      insert into shaanxi.project_account (project_id, received_fen) values (${id}, ${BigInt(LIMIT) + 1n})`)).toBe('project_account_within_limit');
    expect(await refusal(sql`
      update shaanxi.project_need set amount_sought_fen = ${BigInt(LIMIT) + 1n} where id = ${id}`)).toBe('project_need_amount_within_limit');
  });
});
