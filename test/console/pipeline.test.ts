import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, skippedTitle, startConsoleBrowser, sumOfYuan, type ConsoleBrowser } from './browser.ts';

/** The pipeline's figures, asked of the API by hand. */
const FUNNEL = `query Funnel($filter: PipelineFilter) {
  funnel(filter: $filter) { stage projectCount amountSought { yuan } committed { yuan } disbursed { yuan } received { yuan } spent { yuan } }
}`;
const PIPELINE = `query Pipeline($filter: PipelineFilter, $first: Int, $after: String) {
  pipeline(filter: $filter, first: $first, after: $after) { totalCount pageInfo { endCursor hasNextPage } nodes { id titleZh provenance { kind } } }
}`;
const MONEY = ['amountSought', 'committed', 'disbursed', 'received', 'spent'] as const;

type Money = { yuan: string } | null;
type FunnelRow = { stage: string; projectCount: number } & Record<(typeof MONEY)[number], Money>;
interface PipelineAnswer {
  pipeline: { totalCount: number; pageInfo: { endCursor: string | null; hasNextPage: boolean }; nodes: { id: string; titleZh: string; provenance: { kind: string } }[] };
}
const WITHOUT_DEMO = ['PUBLIC_RECORD', 'ENTERED'];

describe.skipIf(!hasChromium)(skippedTitle('the pipeline page in Chromium'), () => {
  let console: ConsoleBrowser;
  beforeAll(async () => {
    console = await startConsoleBrowser({ DEMO_DATA: 'true' });
  }, 120_000);
  afterAll(() => console?.close());

  /** Each stage's row of the page's table against the API's funnel, and the totals against the test's own sums. */
  async function expectFunnel(rows: FunnelRow[]) {
    const table = console.page.getByTestId('funnel');
    expect(await table.locator('tbody tr').count()).toBe(rows.length);
    for (const row of rows) {
      const cells = table.locator(`tbody tr[data-stage="${row.stage}"] td`);
      expect(await cells.nth(0).innerText(), row.stage).toBe(row.projectCount.toLocaleString('zh-CN'));
      for (const [index, name] of MONEY.entries()) {
        expect(await cells.nth(index + 1).locator('.money').getAttribute('data-yuan'), `${row.stage} ${name}`).toBe(row[name]?.yuan ?? null);
      }
    }
    const totals = table.locator('tfoot td');
    expect(await totals.nth(0).innerText()).toBe(rows.reduce((total, row) => total + row.projectCount, 0).toLocaleString('zh-CN'));
    for (const [index, name] of MONEY.entries()) {
      expect(await totals.nth(index + 1).locator('.money').getAttribute('data-yuan'), `total ${name}`).toBe(sumOfYuan(rows.map((row) => row[name]?.yuan)));
    }
  }

  async function shownTitles(): Promise<string[]> {
    return console.page.getByTestId('pipeline').locator('tbody tr td:first-child').allInnerTexts();
  }

  it('shows the funnel, chart and table, with the figures of the API, and the first page of projects', async () => {
    const { funnel } = await console.api<{ funnel: FunnelRow[] }>(FUNNEL);
    const first = await console.api<PipelineAnswer>(PIPELINE, { first: 20 });
    expect(funnel.some((row) => row.projectCount > 0)).toBe(true);
    await console.open('/pipeline');
    await expectFunnel(funnel);
    expect(await console.page.locator('.chart canvas').count()).toBe(1);
    expect(await console.page.getByTestId('pipeline-count').innerText()).toBe(`共 ${first.pipeline.totalCount} 个项目`);
    expect(await shownTitles()).toEqual(first.pipeline.nodes.map((node) => node.titleZh));
    expect(await console.page.getByTestId('pipeline').locator('tbody [data-provenance]').count()).toBe(first.pipeline.nodes.length);
    expect(await console.accessibilityViolations()).toEqual([]);
    await console.screenshot('pipeline');
    expect(console.problems).toEqual([]);
  });

  it('pages through the list as the API does', async () => {
    const first = await console.api<PipelineAnswer>(PIPELINE, { first: 20 });
    expect(first.pipeline.pageInfo.hasNextPage).toBe(true);
    const second = await console.api<PipelineAnswer>(PIPELINE, { first: 20, after: first.pipeline.pageInfo.endCursor });
    await console.open('/pipeline');
    await console.page.getByRole('button', { name: '下一页' }).click();
    await expect.poll(shownTitles).toEqual(second.pipeline.nodes.map((node) => node.titleZh));
    expect(new URL(console.page.url()).searchParams.get('after')).toBe(first.pipeline.pageInfo.endCursor);
    await console.page.getByRole('button', { name: '第一页' }).click();
    await expect.poll(shownTitles).toEqual(first.pipeline.nodes.map((node) => node.titleZh));
    expect(console.problems).toEqual([]);
  });

  it('filters by stage and prefecture, keeps the filters in the URL, and shows what the API gives for them', async () => {
    const filter = { stages: ['IMPLEMENTING'], prefectureCode: '610900' };
    const { funnel } = await console.api<{ funnel: FunnelRow[] }>(FUNNEL, { filter });
    const list = await console.api<PipelineAnswer>(PIPELINE, { filter, first: 20 });
    expect(list.pipeline.totalCount).toBeGreaterThan(0);
    await console.open('/pipeline');
    await console.page.getByLabel('阶段', { exact: true }).selectOption('IMPLEMENTING');
    await console.page.getByLabel('地市', { exact: true }).selectOption('610900');
    await expect.poll(() => console.page.getByTestId('pipeline-count').innerText()).toBe(`共 ${list.pipeline.totalCount} 个项目`);
    const url = new URL(console.page.url());
    expect(Object.fromEntries(url.searchParams)).toEqual({ stage: 'IMPLEMENTING', prefecture: '610900' });
    await console.settled();
    await expectFunnel(funnel);
    expect(await shownTitles()).toEqual(list.pipeline.nodes.map((node) => node.titleZh));

    // The URL alone brings the same page back.
    await console.open(`/pipeline${url.search}`);
    expect(await console.page.getByLabel('阶段', { exact: true }).inputValue()).toBe('IMPLEMENTING');
    expect(await shownTitles()).toEqual(list.pipeline.nodes.map((node) => node.titleZh));
    expect(console.problems).toEqual([]);
  });

  it('hides the demo records when "show demo records" is off, everywhere on the page, and shows them marked when on', async () => {
    const withoutDemo = await console.api<{ funnel: FunnelRow[] }>(FUNNEL, { filter: { provenance: WITHOUT_DEMO } });
    const realList = await console.api<PipelineAnswer>(PIPELINE, { filter: { provenance: WITHOUT_DEMO }, first: 20 });
    const all = await console.api<PipelineAnswer>(PIPELINE, { first: 20 });
    const demo = all.pipeline.nodes.find((node) => node.provenance.kind === 'SYNTHETIC_DEMO');
    expect(demo).toBeDefined();
    await console.open('/pipeline');
    const demoRow = console.page.getByTestId('pipeline').locator(`tbody tr[data-project="${demo!.id}"]`);
    expect(await demoRow.locator('[data-provenance]').innerText()).toBe('演示数据');

    await console.page.getByLabel('显示演示数据').uncheck();
    await console.settled();
    await expect.poll(() => console.page.getByTestId('pipeline-count').innerText()).toBe(`共 ${realList.pipeline.totalCount} 个项目`);
    await expectFunnel(withoutDemo.funnel);
    expect(await console.page.locator('[data-provenance="SYNTHETIC_DEMO"]').count()).toBe(0);
    expect(await demoRow.count()).toBe(0);

    await console.page.getByLabel('显示演示数据').check();
    await console.settled();
    await expect.poll(() => demoRow.count()).toBe(1);
    expect(console.problems).toEqual([]);
  });
});
