import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, skippedTitle, startConsoleBrowser, type ConsoleBrowser } from './browser.ts';

/** A project's books, asked of the API by hand. */
const PROJECT = `query Project($id: ID!) {
  project(id: $id) {
    id titleZh stage
    provenance { kind }
    amountSought { yuan } pledged { yuan } committed { yuan } disbursed { yuan } fundingGap { yuan } received { yuan } spent { yuan }
    history { from to }
    fundingEntries { kind amount { yuan } organization { nameZh } }
    fundsEntries { kind amount { yuan } }
    reconciliation { balanced difference { yuan } disbursedByJiangsu { yuan } receivedInShaanxi { yuan } byOrganization { organization { nameZh } disbursed { yuan } received { yuan } difference { yuan } } }
  }
}`;
const CANDIDATES = `query Candidates { pipeline(filter: { stages: [IMPLEMENTING, COMPLETED, EVALUATED] }, first: 100) { nodes { id fundsEntries { kind } reconciliation { balanced } } } }`;

type Money = { yuan: string } | null;
interface ProjectAnswer {
  project: {
    id: string;
    titleZh: string;
    stage: string;
    provenance: { kind: string };
    amountSought: Money; pledged: Money; committed: Money; disbursed: Money; fundingGap: Money; received: Money; spent: Money;
    history: { from: string; to: string }[];
    fundingEntries: { kind: string; amount: { yuan: string }; organization: { nameZh: string } }[];
    fundsEntries: { kind: string; amount: { yuan: string } }[];
    reconciliation: { balanced: boolean; difference: { yuan: string }; disbursedByJiangsu: { yuan: string }; receivedInShaanxi: { yuan: string }; byOrganization: { organization: { nameZh: string } | null; disbursed: { yuan: string }; received: { yuan: string }; difference: { yuan: string } }[] };
  };
}
const STAGE_ZH: Record<string, string> = { PROPOSED: '提出', PUBLISHED: '发布', MATCHED: '对接', SCHEDULED: '排期签约', SIGNED: '已签约', IMPLEMENTING: '实施中', COMPLETED: '已完成', EVALUATED: '已评估', SUSPENDED: '暂停', CANCELLED: '取消' };

describe.skipIf(!hasChromium)(skippedTitle('the project page in Chromium'), () => {
  let console: ConsoleBrowser;
  let project: ProjectAnswer['project'];
  beforeAll(async () => {
    console = await startConsoleBrowser({ DEMO_DATA: 'true' });
    // A project with money in both books, and one where they disagree when the demo has one.
    const { pipeline } = await console.api<{ pipeline: { nodes: { id: string; fundsEntries: unknown[]; reconciliation: { balanced: boolean } | null }[] } }>(CANDIDATES);
    const withBooks = pipeline.nodes.filter((node) => node.fundsEntries.length > 0);
    const chosen = withBooks.find((node) => node.reconciliation?.balanced === false) ?? withBooks[0];
    if (!chosen) throw new Error('the demo data has no project with money in both books');
    project = (await console.api<ProjectAnswer>(PROJECT, { id: chosen.id })).project;
  }, 120_000);
  afterAll(() => console?.close());

  it("shows the project's stage history, both provinces' books and their reconciliation as the API gives them", async () => {
    await console.open(`/projects/${encodeURIComponent(project.id)}`);
    const page = console.page;
    expect(await page.getByTestId('project-title').innerText()).toBe(project.titleZh);
    expect(await page.getByTestId('project-stage').innerText()).toBe(STAGE_ZH[project.stage]);
    for (const name of ['amountSought', 'pledged', 'committed', 'disbursed', 'fundingGap', 'received', 'spent'] as const) {
      expect(await page.getByTestId('money').locator(`[data-money="${name}"] .money`).getAttribute('data-yuan'), name).toBe(project[name]?.yuan ?? null);
    }
    const history = page.getByTestId('history').locator('tbody tr');
    expect(await history.count()).toBe(project.history.length);
    expect(await history.locator('td:nth-child(3)').allInnerTexts()).toEqual(project.history.map((event) => STAGE_ZH[event.to]));

    const jiangsu = page.getByTestId('jiangsu-book').locator('tbody tr');
    expect(await jiangsu.count()).toBe(project.fundingEntries.length);
    expect(await jiangsu.locator('.money').evaluateAll((cells) => cells.map((cell) => cell.getAttribute('data-yuan')))).toEqual(project.fundingEntries.map((entry) => entry.amount.yuan));
    const shaanxi = page.getByTestId('shaanxi-book').locator('tbody tr');
    expect(await shaanxi.count()).toBe(project.fundsEntries.length);
    expect(await shaanxi.locator('.money').evaluateAll((cells) => cells.map((cell) => cell.getAttribute('data-yuan')))).toEqual(project.fundsEntries.map((entry) => entry.amount.yuan));

    const reconciliation = project.reconciliation;
    const status = page.getByTestId('reconciliation-status');
    expect(await status.getAttribute('class')).toBe(reconciliation.balanced ? 'balanced' : 'unbalanced');
    expect(await status.innerText()).toContain(reconciliation.balanced ? '一致' : '不一致');
    const table = page.getByTestId('reconciliation');
    expect(await table.locator('tfoot [data-money="difference"] .money').getAttribute('data-yuan')).toBe(reconciliation.difference.yuan);
    expect(await table.locator('tfoot [data-money="disbursedByJiangsu"] .money').getAttribute('data-yuan')).toBe(reconciliation.disbursedByJiangsu.yuan);
    expect(await table.locator('tfoot [data-money="receivedInShaanxi"] .money').getAttribute('data-yuan')).toBe(reconciliation.receivedInShaanxi.yuan);
    const lines = table.locator('tbody tr');
    expect(await lines.count()).toBe(reconciliation.byOrganization.length);
    for (const [index, line] of reconciliation.byOrganization.entries()) {
      expect(await lines.nth(index).locator('th').innerText()).toBe(line.organization?.nameZh ?? '未注明组织');
      expect(await lines.nth(index).locator('.money').evaluateAll((cells) => cells.map((cell) => cell.getAttribute('data-yuan')))).toEqual([line.disbursed.yuan, line.received.yuan, line.difference.yuan]);
    }
    // The project, each stage change and each entry of the two books carry their provenance.
    expect(await page.locator('[data-provenance]').count()).toBeGreaterThanOrEqual(1 + project.history.length + project.fundingEntries.length + project.fundsEntries.length);
    expect(await console.accessibilityViolations()).toEqual([]);
    await console.screenshot('project');
    expect(console.problems).toEqual([]);
  });

  it('marks a demo project as demo, and hides it when "show demo records" is off', async () => {
    expect(project.provenance.kind).toBe('SYNTHETIC_DEMO');
    await console.open(`/projects/${encodeURIComponent(project.id)}`);
    expect(await console.page.locator('.page-header [data-provenance]').innerText()).toBe('演示数据');
    await console.page.getByLabel('显示演示数据').uncheck();
    await expect.poll(() => console.page.getByTestId('project-title').count()).toBe(0);
    expect(await console.page.locator('main').innerText()).toContain('此项目是演示数据');
    await console.page.getByLabel('显示演示数据').check();
    expect(await console.page.getByTestId('project-title').innerText()).toBe(project.titleZh);
    expect(console.problems).toEqual([]);
  });
});
