import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '@hub/testkit';
import { csvRows, download, fenOf, funnelTotals, iatiActivities, iatiSums, sum } from './support/exports.ts';
import { validateIati } from './support/standards.ts';

/**
 * The downloads in the distributed topology: the gateway reads the graph's pages from the three
 * subgraph services over HTTP, and the files hold what the graph gives there, to the fen.
 */
describe('downloads through the distributed topology', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub('distributed', { DEMO_DATA: 'true' });
  });
  afterAll(() => hub?.stop());

  const DEMO = 'provenance=SYNTHETIC_DEMO';
  const DEMO_FILTER = { provenance: ['SYNTHETIC_DEMO'] };

  it('gives a valid IATI file whose budgets and transactions are the graph’s totals', async () => {
    const file = await download(hub, `/exports/pipeline.iati.xml?${DEMO}`);
    expect(file.status).toBe(200);
    expect(await validateIati(file.text)).toEqual({ valid: true, errors: [] });
    const graph = await funnelTotals(hub, DEMO_FILTER);
    const activities = iatiActivities(file.text);
    expect(activities.length).toBe(graph.projects);
    expect(activities.length).toBeGreaterThan(0);
    const { byType, budgets } = iatiSums(activities);
    expect(budgets).toBe(graph.amountSought);
    // Pledges (12, incoming commitment) from the Jiangsu books, read from the Jiangsu service.
    expect(byType['12'] ?? 0n).toBe(graph.pledged);
  });

  it('gives the pipeline as CSV, its money the graph’s to the fen', async () => {
    const office = await hub.token('JIANGSU_OFFICE');
    const file = await download(hub, `/exports/pipeline.csv?${DEMO}`, office);
    expect(file.status).toBe(200);
    const rows = csvRows(file);
    const graph = await funnelTotals(hub, DEMO_FILTER, office);
    expect(rows).toHaveLength(graph.projects);
    expect(sum(rows.map((row) => fenOf(row['承诺（元） Committed (yuan)'] || '0')))).toBe(graph.committed);
    expect(sum(rows.map((row) => fenOf(row['陕西收到（元） Received (yuan)'] || '0')))).toBe(graph.received);
  });
});
