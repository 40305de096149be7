import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { moveThrough, startTestHub, type TestHub } from '@hub/testkit';
import {
  childrenNamed,
  csvRows,
  download,
  fenOf,
  funnelTotals,
  iatiActivities,
  iatiSums,
  jsonAmounts,
  sum,
  xlsxRows,
  type Downloaded,
} from './support/exports.ts';
import { validate360Giving, validateIati } from './support/standards.ts';

/**
 * The downloads under /exports/ (issue 12) on the demo data, through the gateway over HTTP:
 * the IATI file and the 360Giving package valid against the standards' own schemas, every
 * export's totals equal to the graph's for the same filter, to the fen, and no caller getting
 * through a download what the graph refuses it.
 */
const DEMO = 'provenance=SYNTHETIC_DEMO';
const DEMO_FILTER = { provenance: ['SYNTHETIC_DEMO'] };
/** The demo's next ceremony, whose package is final and not signed: for the offices and its signatories only. */
const FINAL_PACKAGE_CEREMONY = 'demo-2020-09-16-shangluo';
const OUTSIDER = 'js-ruihua-charity-foundation';
const PIPELINE_MONEY_COLUMNS = {
  amountSought: '需求金额（元） Amount sought (yuan)',
  pledged: '认捐（元） Pledged (yuan)',
  committed: '承诺（元） Committed (yuan)',
  disbursed: '拨付（元） Disbursed (yuan)',
  received: '陕西收到（元） Received (yuan)',
  spent: '陕西支出（元） Spent (yuan)',
} as const;
const MOVED_BY = '变更人 Moved by';

let hub: TestHub;
let tokens: { shaanxi: string; jiangsu: string; signatory: string; outsider: string };
/** A real need, raised and published by the Shaanxi office; and its draft, suspended before it was ever published. */
let publishedId: string;
let draftId: string;
let signatoryId: string;

beforeAll(async () => {
  hub = await startTestHub('all-in-one', { DEMO_DATA: 'true' });
  const shaanxi = await hub.token('SHAANXI_OFFICE');
  const jiangsu = await hub.token('JIANGSU_OFFICE');
  const pkg = await hub.query(`query ($id: ID!) { ceremony(id: $id) { currentPackage { status lines { jiangsuOrganization { id } } } } }`, { id: FINAL_PACKAGE_CEREMONY }, { token: jiangsu });
  expect(pkg.data!.ceremony.currentPackage.status).toBe('FINAL');
  signatoryId = pkg.data!.ceremony.currentPackage.lines[0].jiangsuOrganization.id;
  tokens = { shaanxi, jiangsu, signatory: await hub.token('FOUNDATION_MEMBER', signatoryId), outsider: await hub.token('FOUNDATION_MEMBER', OUTSIDER) };

  const raise = async (titleZh: string) => {
    const raised = await hub.query(
      `mutation ($input: RaiseProjectNeedInput!) { raiseProjectNeed(input: $input) { id } }`,
      { input: { countyCode: '610927', titleZh, field: 'EDUCATION', amountSought: { fen: 12_345_67 } } },
      { token: shaanxi },
    );
    return raised.data!.raiseProjectNeed.id as string;
  };
  publishedId = await raise('镇坪县村小图书角');
  await moveThrough(hub, publishedId, ['PUBLISHED'], shaanxi);
  draftId = await raise('镇坪县草稿需求');
  await moveThrough(hub, draftId, ['SUSPENDED'], shaanxi);
});
afterAll(() => hub?.stop());

describe('the IATI activity file', () => {
  it('is valid IATI 2.03 over the demo data, streamed, and says it holds synthetic demo data', async () => {
    const file = await download(hub, `/exports/pipeline.iati.xml?${DEMO}`);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('application/xml; charset=utf-8');
    // Sent as it is written: chunked, with no length known in advance.
    expect(file.headers.get('transfer-encoding')).toBe('chunked');
    expect(file.headers.get('x-provenance')).toBe('SYNTHETIC_DEMO');
    expect(await validateIati(file.text)).toEqual({ valid: true, errors: [] });
    expect(file.text).toContain('This file includes synthetic demo data (SYNTHETIC_DEMO)');
    const activities = iatiActivities(file.text);
    for (const activity of activities) {
      const tag = childrenNamed(activity, 'tag')[0]!;
      expect(tag.getAttribute('code')).toBe('SYNTHETIC_DEMO');
    }
  });

  it('holds one activity per project of the filter, its budgets and each kind of transaction equal to the graph’s totals to the fen', async () => {
    for (const [query, filter] of [
      [DEMO, DEMO_FILTER],
      [`${DEMO}&prefecture=610900`, { ...DEMO_FILTER, prefectureCode: '610900' }],
      [`${DEMO}&stage=SIGNED,IMPLEMENTING,COMPLETED`, { ...DEMO_FILTER, stages: ['SIGNED', 'IMPLEMENTING', 'COMPLETED'] }],
    ] as const) {
      const file = await download(hub, `/exports/pipeline.iati.xml?${query}`);
      const graph = await funnelTotals(hub, filter);
      const activities = iatiActivities(file.text);
      expect(activities).toHaveLength(graph.projects);
      const { byType, budgets } = iatiSums(activities);
      expect(budgets).toBe(graph.amountSought);
      expect(byType).toEqual({
        '12': graph.pledged,
        '2': graph.committed,
        '3': graph.disbursed,
        '1': graph.received,
        '4': graph.spent,
      });
      expect(graph.committed).toBeGreaterThan(0n);
    }
  });

  it('takes the activity status the graph gives each stage, and both titles with their language', async () => {
    const file = await download(hub, `/exports/pipeline.iati.xml?${DEMO}`);
    const graph = await hub.query(`query { pipeline(filter: { provenance: [SYNTHETIC_DEMO] }, first: 100) { nodes { id iatiActivityStatus titleZh } } }`);
    const statusById = new Map(graph.data!.pipeline.nodes.map((node: { id: string; iatiActivityStatus: number }) => [node.id, String(node.iatiActivityStatus)]));
    const seen = new Set<string>();
    for (const activity of iatiActivities(file.text)) {
      const id = childrenNamed(activity, 'iati-identifier')[0]!.textContent!.replace(/^SU-SHAAN-HUB-/, '');
      const status = childrenNamed(activity, 'activity-status')[0]!.getAttribute('code')!;
      expect(status).toBe(statusById.get(id));
      seen.add(status);
      const title = childrenNamed(activity, 'title')[0]!;
      expect(childrenNamed(title, 'narrative')[0]!.getAttribute('xml:lang')).toBe('zh');
    }
    expect([...seen].sort()).toEqual(['1', '2', '3', '4', '5', '6']);
  });

  it('leaves the synthetic demo data out unless asked for', async () => {
    const file = await download(hub, '/exports/pipeline.iati.xml');
    expect(file.status).toBe(200);
    expect(file.headers.get('x-provenance')).toBe('PUBLIC_RECORD,ENTERED');
    expect(file.text).not.toContain('SYNTHETIC_DEMO');
    expect(file.text).toContain(`SU-SHAAN-HUB-${publishedId}`);
    expect(await validateIati(file.text)).toEqual({ valid: true, errors: [] });
  });
});

describe('the 360Giving package', () => {
  it('is valid 360Giving 1.4 over the demo data, one grant per funder and project, and says it holds synthetic demo data', async () => {
    const file = await download(hub, `/exports/grants.360giving.json?${DEMO}`);
    expect(file.status).toBe(200);
    expect(file.headers.get('transfer-encoding')).toBe('chunked');
    const pkg = JSON.parse(file.text);
    expect(validate360Giving(pkg)).toEqual({ valid: true, errors: [] });
    expect(pkg.description).toContain('SYNTHETIC_DEMO');
    for (const grant of pkg.grants) {
      expect(grant.classifications).toContainEqual(expect.objectContaining({ vocabulary: 'su-shaan-hub:provenance', code: 'SYNTHETIC_DEMO' }));
      expect(grant.beneficiaryLocation[0].geoCode).toMatch(/^61\d{4}$/);
      expect(grant.currency).toBe('CNY');
    }
  });

  it('awards what the graph says was committed, and disburses what it says was disbursed, to the fen', async () => {
    for (const [query, filter] of [
      [DEMO, DEMO_FILTER],
      [`${DEMO}&prefecture=610900`, { ...DEMO_FILTER, prefectureCode: '610900' }],
    ] as const) {
      const file = await download(hub, `/exports/grants.360giving.json?${query}`);
      const graph = await funnelTotals(hub, filter);
      expect(sum(jsonAmounts(file.text, 'amountAwarded'))).toBe(graph.committed);
      expect(sum(jsonAmounts(file.text, 'amountDisbursed'))).toBe(graph.disbursed);
    }
  });

  it('answers 404 NOTHING_TO_EXPORT where no signed grant matches, since a package holds at least one', async () => {
    const file = await download(hub, `/exports/grants.360giving.json?${DEMO}&stage=PUBLISHED`);
    expect(file.status).toBe(404);
    expect(JSON.parse(file.text).error.code).toBe('NOTHING_TO_EXPORT');
  });
});

describe('the spreadsheets', () => {
  const checkPipeline = (rows: Record<string, string>[], graph: Awaited<ReturnType<typeof funnelTotals>>) => {
    expect(rows).toHaveLength(graph.projects);
    for (const [measure, column] of Object.entries(PIPELINE_MONEY_COLUMNS)) {
      expect(sum(rows.map((row) => (row[column] ? fenOf(row[column]!) : 0n))), measure).toBe(graph[measure as keyof typeof PIPELINE_MONEY_COLUMNS]);
    }
  };

  it('gives the pipeline as CSV, UTF-8 with a byte-order mark, its money columns summing to the graph’s totals', async () => {
    const file = await download(hub, `/exports/pipeline.csv?${DEMO}`, tokens.jiangsu);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('text/csv; charset=utf-8; header=present');
    expect(file.body.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const rows = csvRows(file);
    checkPipeline(rows, await funnelTotals(hub, DEMO_FILTER, tokens.jiangsu));
    expect(new Set(rows.map((row) => row['数据来源 Provenance']))).toEqual(new Set(['SYNTHETIC_DEMO']));
    expect(rows[0]!['项目名称 Title']).toMatch(/^演示：/);
  });

  it('gives the pipeline as XLSX, amounts as numbers carrying the exact yuan, and the graph’s totals on its second sheet', async () => {
    const file = await download(hub, `/exports/pipeline.xlsx?${DEMO}&prefecture=610900`, tokens.jiangsu);
    expect(file.status).toBe(200);
    const { rows, about } = await xlsxRows(file);
    const graph = await funnelTotals(hub, { ...DEMO_FILTER, prefectureCode: '610900' }, tokens.jiangsu);
    checkPipeline(rows, graph);
    expect(fenOf(about['承诺合计（元） Committed, total (yuan)']!)).toBe(graph.committed);
    expect(about['注意 Note']).toContain('SYNTHETIC_DEMO');
  });

  it('gives a signed ceremony package’s lines, summing to its total in the graph', async () => {
    const ceremonies = await hub.query(`query { ceremonies(provenance: [SYNTHETIC_DEMO]) { id currentPackage { version status total { yuan } lines { position } } } }`);
    const signed = ceremonies.data!.ceremonies.find((ceremony: any) => ceremony.currentPackage?.status === 'SIGNED');
    for (const format of ['csv', 'xlsx'] as const) {
      const file = await download(hub, `/exports/ceremonies/${signed.id}/packages/${signed.currentPackage.version}.${format}`);
      expect(file.status).toBe(200);
      expect(file.headers.get('cache-control')).toBe('public, max-age=300');
      const rows = format === 'csv' ? csvRows(file) : (await xlsxRows(file)).rows;
      expect(rows).toHaveLength(signed.currentPackage.lines.length);
      expect(sum(rows.map((row) => fenOf(row['金额（元） Amount (yuan)']!)))).toBe(fenOf(signed.currentPackage.total.yuan));
    }
  });

  it('gives an agreement’s progress, each figure the graph’s', async () => {
    const graph = await hub.query(`query { agreement(id: "demo-agreement") { tracking { term { projectsSigned { actual } committed { actual { yuan } target { yuan } } disbursed { actual { yuan } } } } } }`);
    const { term } = graph.data!.agreement.tracking;
    for (const format of ['csv', 'xlsx'] as const) {
      const file = await download(hub, `/exports/agreements/demo-agreement/progress.${format}`);
      expect(file.status).toBe(200);
      const rows = format === 'csv' ? csvRows(file) : (await xlsxRows(file)).rows;
      const termRow = (measure: string) => rows.find((row) => row['期间 Period'] === '全期 Term' && row['分项 Breakdown'] === '合计 Total' && row['指标 Measure'] === measure)!;
      expect(Number(termRow('签约项目 Projects signed')['实际 Actual'])).toBe(term.projectsSigned.actual);
      expect(fenOf(termRow('承诺资金 Committed')['实际 Actual']!)).toBe(fenOf(term.committed.actual.yuan));
      expect(fenOf(termRow('承诺资金 Committed')['目标 Target']!)).toBe(fenOf(term.committed.target.yuan));
      expect(fenOf(termRow('拨付资金 Disbursed')['实际 Actual']!)).toBe(fenOf(term.disbursed.actual.yuan));
      // The breakdown by prefecture holds the itemized records: its committed money sums to the term's itemized.
      const byPrefecture = rows.filter((row) => row['分项 Breakdown'] === '地市 Prefecture' && row['指标 Measure'] === '承诺资金 Committed');
      expect(byPrefecture.length).toBeGreaterThan(0);
    }
  });
});

describe('what each caller may download', () => {
  const callers = () =>
    ({
      public: undefined,
      shaanxiOffice: tokens.shaanxi,
      jiangsuOffice: tokens.jiangsu,
      signatoryMember: tokens.signatory,
      outsiderMember: tokens.outsider,
    }) as const;

  it('gives a never-published draft to the Shaanxi office alone, in the spreadsheet as in the graph, and in no open-data file', async () => {
    for (const [caller, token] of Object.entries(callers())) {
      const inGraph = await hub.query(`query { pipeline(first: 100) { nodes { id } } }`, {}, { token });
      const graphSees = inGraph.data!.pipeline.nodes.some((node: { id: string }) => node.id === draftId);
      expect(graphSees, caller).toBe(caller === 'shaanxiOffice');
      for (const format of ['csv', 'xlsx'] as const) {
        const file = await download(hub, `/exports/pipeline.${format}`, token);
        const rows = format === 'csv' ? csvRows(file) : (await xlsxRows(file)).rows;
        expect(rows.some((row) => row['项目编号 Project ID'] === draftId), `${caller} ${format}`).toBe(graphSees);
        expect(rows.some((row) => row['项目编号 Project ID'] === publishedId), `${caller} ${format}`).toBe(true);
      }
      const iati = await download(hub, '/exports/pipeline.iati.xml', token);
      expect(iati.text, caller).not.toContain(draftId);
      expect(iati.text, caller).toContain(publishedId);
    }
  });

  it('names who moved a project to the two offices only, as the graph does', async () => {
    for (const [caller, token] of Object.entries(callers())) {
      const inGraph = await hub.query(`query ($id: ID!) { project(id: $id) { history { actor } } }`, { id: publishedId }, { token });
      const actor = inGraph.data!.project.history.at(-1).actor as string | null;
      const rows = csvRows(await download(hub, '/exports/pipeline.csv', token));
      const row = rows.find((candidate) => candidate['项目编号 Project ID'] === publishedId)!;
      expect(row[MOVED_BY], caller).toBe(actor ?? '');
      const seesWho = caller === 'shaanxiOffice' || caller === 'jiangsuOffice';
      expect(actor === 'test-shaanxi_office', caller).toBe(seesWho);
      const xlsx = await xlsxRows(await download(hub, '/exports/pipeline.xlsx', token));
      expect(xlsx.rows.find((candidate) => candidate['项目编号 Project ID'] === publishedId)![MOVED_BY], caller).toBe(actor ?? '');
    }
  });

  it('gives a package not yet signed to the offices and its signatories only: to anyone else it does not exist', async () => {
    const allowed = new Set(['shaanxiOffice', 'jiangsuOffice', 'signatoryMember']);
    for (const [caller, token] of Object.entries(callers())) {
      const inGraph = await hub.query(`query ($id: ID!) { ceremonyPackage(ceremonyId: $id) { version } }`, { id: FINAL_PACKAGE_CEREMONY }, { token });
      expect(Boolean(inGraph.data?.ceremonyPackage), caller).toBe(allowed.has(caller));
      for (const path of [`/exports/ceremonies/${FINAL_PACKAGE_CEREMONY}/packages/latest.csv`, `/exports/ceremonies/${FINAL_PACKAGE_CEREMONY}/packages/1.xlsx`]) {
        const file = await download(hub, path, token);
        expect(file.status, `${caller} ${path}`).toBe(allowed.has(caller) ? 200 : 404);
        if (allowed.has(caller)) expect(file.headers.get('cache-control')).toBe('private, no-store');
        else expect(JSON.parse(file.text).error.code).toBe('NOT_FOUND');
      }
    }
  });

  it('refuses a bad token as the graph does, before reading anything', async () => {
    const file = await download(hub, '/exports/pipeline.csv', 'not-a-token');
    expect(file.status).toBe(401);
    expect(JSON.parse(file.text).error.code).toMatch(/^(UNAUTHENTICATED|INVALID_TOKEN)$/);
  });
});

describe('bad input', () => {
  const refused = async (path: string, status: number, code: string, parameter?: string) => {
    const file: Downloaded = await download(hub, path, tokens.jiangsu);
    expect(file.status, path).toBe(status);
    const { error } = JSON.parse(file.text);
    expect(error.code, path).toBe(code);
    expect(error.message.length).toBeGreaterThan(10);
    if (parameter) expect(error.parameter, path).toBe(parameter);
  };

  it('answers a clear 400 naming the parameter, with a stable code', async () => {
    await refused('/exports/pipeline.csv?stages=SIGNED', 400, 'UNKNOWN_PARAMETER', 'stages');
    await refused('/exports/pipeline.iati.xml?stage=SIGNED,DONE', 400, 'INVALID_PARAMETER', 'stage');
    await refused('/exports/grants.360giving.json?provenance=FAKE', 400, 'INVALID_PARAMETER', 'provenance');
    await refused('/exports/pipeline.xlsx?county=6109', 400, 'INVALID_PARAMETER', 'county');
    await refused('/exports/pipeline.csv?year=twenty', 400, 'INVALID_PARAMETER', 'year');
    await refused('/exports/pipeline.csv?field=ART', 400, 'INVALID_PARAMETER', 'field');
    await refused('/exports/pipeline.csv?county=610927&county=610926', 400, 'INVALID_PARAMETER', 'county');
    await refused(`/exports/ceremonies/${FINAL_PACKAGE_CEREMONY}/packages/0.csv`, 400, 'INVALID_PARAMETER', 'version');
    await refused('/exports/agreements/demo-agreement/progress.csv?year=2019', 400, 'UNKNOWN_PARAMETER', 'year');
  });

  it('answers 404 for what does not exist', async () => {
    await refused('/exports/agreements/no-such-agreement/progress.csv', 404, 'NOT_FOUND');
    await refused('/exports/ceremonies/no-such-ceremony/packages/latest.xlsx', 404, 'NOT_FOUND');
  });
});

describe('reading the graph', () => {
  it('costs the same number of SQL statements for a page of 10 projects as for a page of 80 (no statement per project)', async () => {
    const count = async (path: string) => (await hub.countStatements(() => download(hub, path, tokens.jiangsu))).statements.length;
    const few = await count(`/exports/pipeline.csv?${DEMO}&prefecture=610900`);
    const many = await count(`/exports/pipeline.csv?${DEMO}`);
    expect(many).toBe(few);
  });

  it('reads the open-data files page by page, each page costing the same statements however many projects it holds', async () => {
    const count = async (path: string) => (await hub.countStatements(() => download(hub, path))).statements.length;
    // 安康 has one demo project at every stage: one page. The whole demo: four pages of 25.
    const onePage = await count(`/exports/pipeline.iati.xml?${DEMO}&prefecture=610900`);
    const fourPages = await count(`/exports/pipeline.iati.xml?${DEMO}`);
    expect(fourPages).toBeLessThanOrEqual(4 * onePage);
  });

  it('answers a HEAD from the same checks without making the file', async () => {
    const head = await download(hub, `/exports/pipeline.iati.xml?${DEMO}`, undefined, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toHaveLength(0);
    expect((await download(hub, `/exports/ceremonies/${FINAL_PACKAGE_CEREMONY}/packages/latest.csv`, undefined, 'HEAD')).status).toBe(404);
  });
});
