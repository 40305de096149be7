import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { moveThrough, startTestHub, type TestHub } from '@hub/testkit';
import { childrenNamed, csvRows, download, fenOf, funnelTotals, iatiActivities, iatiSums, jsonAmounts, sum, xlsxRows } from './support/exports.ts';
import { validate360Giving, validateIati } from './support/standards.ts';

/**
 * The exports over the edges of the data, on real (entered) records and no demo: a project
 * with no money yet, one cancelled, one suspended after signing, Chinese titles only,
 * amounts of 1 fen, ten projects at the limit of one project (10^11 fen) whose commitments
 * sum to 10^12 fen, and one grant of two commitments, 0.10 and 0.20 yuan, whose sum a float
 * would get wrong (0.30000000000000004). Every expected figure below is worked by hand.
 */
const RUIHUA = 'js-ruihua-charity-foundation';
const RAISED_BY = 'sn-zhenping-volunteer-association';
const LIMIT_FEN = 100_000_000_000;

/** 1 (P2) + 100 (P3) + 10 × 10^11 (P4–P13) + 30 (P14) fen; P1 states no amount. */
const AMOUNT_SOUGHT = fenOf('10000000001.31');
/** P2's pledge of 1 fen. */
const PLEDGED = fenOf('0.01');
/** P3's commitment of 1 fen + 10 × 10^11 fen (10^12 fen) + P14's 10 and 20 fen. */
const COMMITTED = fenOf('10000000000.31');
/** P3's 1 fen disbursed, received and spent. */
const ONE_FEN = fenOf('0.01');

let hub: TestHub;
let ids: { noMoney: string; cancelled: string; suspended: string; atLimit: string[]; twoCommitments: string };

beforeAll(async () => {
  hub = await startTestHub('all-in-one');
  const shaanxi = await hub.token('SHAANXI_OFFICE');
  const jiangsu = await hub.token('JIANGSU_OFFICE');
  const member = await hub.token('FOUNDATION_MEMBER', RUIHUA);
  let key = 0;
  const nextKey = () => `edge-case-key-${(key += 1).toString().padStart(4, '0')}`;
  const must = async (document: string, variables: Record<string, unknown>, token: string) => {
    const result = await hub.query(document, variables, { token });
    if (result.errors) throw new Error(`${document.slice(0, 50)}: ${JSON.stringify(result.errors)}`);
    return result.data!;
  };
  const raise = async (titleZh: string, fen: number | null) =>
    (
      await must(
        `mutation ($input: RaiseProjectNeedInput!) { raiseProjectNeed(input: $input) { id } }`,
        { input: { countyCode: '610927', raisedByOrganizationId: RAISED_BY, titleZh, field: 'LIVELIHOOD', ...(fen === null ? {} : { amountSought: { fen } }) } },
        shaanxi,
      )
    ).raiseProjectNeed.id as string;
  const fund = (mutation: string, projectId: string, fen: number, token: string) =>
    must(`mutation ($input: FundingEntryInput!) { ${mutation}(input: $input) { id } }`, { input: { projectId, organizationId: RUIHUA, amount: { fen }, idempotencyKey: nextKey() } }, token);
  const toSigned = ['PUBLISHED', 'MATCHED', 'SCHEDULED', 'SIGNED'];

  const noMoney = await raise('镇坪县敬老院冬季取暖', null);
  await moveThrough(hub, noMoney, ['PUBLISHED'], shaanxi);

  const cancelled = await raise('镇坪县村级卫生室设备', 1);
  await moveThrough(hub, cancelled, ['PUBLISHED'], shaanxi);
  await fund('recordPledge', cancelled, 1, member);
  await moveThrough(hub, cancelled, ['CANCELLED'], shaanxi);

  const suspended = await raise('镇坪县小学营养午餐', 100);
  await moveThrough(hub, suspended, toSigned, shaanxi, { organizationId: RUIHUA });
  await fund('recordCommitment', suspended, 1, jiangsu);
  await fund('recordDisbursement', suspended, 1, member);
  await must(`mutation ($input: ReceiptInput!) { recordReceipt(input: $input) { id } }`, { input: { projectId: suspended, fromOrganizationId: RUIHUA, amount: { fen: 1 }, idempotencyKey: nextKey() } }, shaanxi);
  await must(`mutation ($input: ExpenditureInput!) { recordExpenditure(input: $input) { id } }`, { input: { projectId: suspended, amount: { fen: 1 }, purpose: '购买餐具', idempotencyKey: nextKey() } }, shaanxi);
  await moveThrough(hub, suspended, ['SUSPENDED'], shaanxi);

  const atLimit: string[] = [];
  for (let index = 1; index <= 10; index += 1) {
    const id = await raise(`镇坪县产业路第${index}段`, LIMIT_FEN);
    await moveThrough(hub, id, toSigned, shaanxi, { organizationId: RUIHUA });
    await fund('recordCommitment', id, LIMIT_FEN, jiangsu);
    atLimit.push(id);
  }
  const twoCommitments = await raise('镇坪县留守儿童书包', 30);
  await moveThrough(hub, twoCommitments, toSigned, shaanxi, { organizationId: RUIHUA });
  await fund('recordCommitment', twoCommitments, 10, jiangsu);
  await fund('recordCommitment', twoCommitments, 20, jiangsu);
  ids = { noMoney, cancelled, suspended, atLimit, twoCommitments };
}, 180_000);
afterAll(() => hub?.stop());

describe('the exports at the edges', () => {
  it('agrees with the graph, whose totals are the hand-worked ones', async () => {
    const graph = await funnelTotals(hub, {});
    expect(graph).toEqual({ projects: 14, amountSought: AMOUNT_SOUGHT, pledged: PLEDGED, committed: COMMITTED, disbursed: ONE_FEN, received: ONE_FEN, spent: ONE_FEN });
  });

  it('writes a valid IATI file whose totals are exact to the fen, beyond 10^12 fen', async () => {
    const file = await download(hub, '/exports/pipeline.iati.xml');
    expect(file.status).toBe(200);
    expect(await validateIati(file.text)).toEqual({ valid: true, errors: [] });
    const activities = iatiActivities(file.text);
    expect(activities).toHaveLength(14);
    expect(iatiSums(activities)).toEqual({
      byType: { '12': PLEDGED, '2': COMMITTED, '3': ONE_FEN, '1': ONE_FEN, '4': ONE_FEN },
      budgets: AMOUNT_SOUGHT,
    });
    expect(file.text).toContain('<value currency="CNY"');
    expect(file.text).toMatch(/>1000000000\.00</);
    expect(file.text).toMatch(/>0\.01</);

    const activity = (id: string) => activities.find((candidate) => childrenNamed(candidate, 'iati-identifier')[0]!.textContent === `SU-SHAAN-HUB-${id}`)!;
    const status = (id: string) => childrenNamed(activity(id), 'activity-status')[0]!.getAttribute('code');
    // No money yet: no budget, no transaction; its one title in Chinese only.
    expect(childrenNamed(activity(ids.noMoney), 'budget')).toHaveLength(0);
    expect(childrenNamed(activity(ids.noMoney), 'transaction')).toHaveLength(0);
    const titles = childrenNamed(childrenNamed(activity(ids.noMoney), 'title')[0]!, 'narrative');
    expect(titles.map((title) => [title.getAttribute('xml:lang'), title.textContent])).toEqual([['zh', '镇坪县敬老院冬季取暖']]);
    expect(status(ids.noMoney)).toBe('1');
    expect(status(ids.cancelled)).toBe('5');
    expect(status(ids.suspended)).toBe('6');
    expect(status(ids.atLimit[0]!)).toBe('2');
    // Cancelled: its end is the day it was cancelled, saying so.
    const ends = childrenNamed(activity(ids.cancelled), 'activity-date').filter((date) => date.getAttribute('type') === '4');
    expect(ends).toHaveLength(1);
    expect(ends[0]!.textContent).toContain('项目取消');
    // Suspended after signing: it had started.
    expect(childrenNamed(activity(ids.suspended), 'activity-date').map((date) => date.getAttribute('type'))).toEqual(['1', '2']);
  });

  it('writes a valid 360Giving package whose awards sum to 10^12 fen and 31, exactly', async () => {
    const file = await download(hub, '/exports/grants.360giving.json');
    expect(file.status).toBe(200);
    const pkg = JSON.parse(file.text);
    expect(validate360Giving(pkg)).toEqual({ valid: true, errors: [] });
    expect(pkg.grants).toHaveLength(12);
    // One funder's two commitments to one project are one grant of 0.30 yuan, with both as its transactions.
    expect(file.text).toContain('"amountAwarded":0.3,');
    expect(sum(jsonAmounts(file.text, 'amountAwarded'))).toBe(COMMITTED);
    expect(sum(jsonAmounts(file.text, 'amountDisbursed'))).toBe(ONE_FEN);
    const suspendedGrant = pkg.grants.find((grant: { relatedActivity: string[] }) => grant.relatedActivity[0] === `SU-SHAAN-HUB-${ids.suspended}`);
    expect(file.text).toContain('"amountAwarded":0.01,');
    expect(suspendedGrant).toMatchObject({
      currency: 'CNY',
      recipientOrganization: [{ id: `360G-SU-SHAAN-HUB-ORG-${RAISED_BY}` }],
      fundingOrganization: [{ id: `360G-SU-SHAAN-HUB-ORG-${RUIHUA}`, name: '江苏省瑞华慈善基金会' }],
      beneficiaryLocation: [{ geoCode: '610927', countryCode: 'CN' }],
    });
  });

  it('writes spreadsheets whose money columns sum to the hand-worked totals', async () => {
    for (const format of ['csv', 'xlsx'] as const) {
      const file = await download(hub, `/exports/pipeline.${format}`);
      const rows = format === 'csv' ? csvRows(file) : (await xlsxRows(file)).rows;
      expect(rows).toHaveLength(14);
      const column = (header: string) => sum(rows.map((row) => (row[header] ? fenOf(row[header]!) : 0n)));
      expect(column('需求金额（元） Amount sought (yuan)'), format).toBe(AMOUNT_SOUGHT);
      expect(column('承诺（元） Committed (yuan)'), format).toBe(COMMITTED);
      expect(column('认捐（元） Pledged (yuan)'), format).toBe(PLEDGED);
      expect(column('陕西支出（元） Spent (yuan)'), format).toBe(ONE_FEN);
      const noMoney = rows.find((row) => row['项目编号 Project ID'] === ids.noMoney)!;
      expect(noMoney['需求金额（元） Amount sought (yuan)']).toBe('');
      expect(noMoney['英文名称 Title (English)']).toBe('');
    }
  });
});
