import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '@hub/testkit';

/**
 * Liveness says the process is up; readiness says it can serve. When a database is down,
 * readiness names the part (`database:<subgraph>`) and never the driver's message or SQL.
 */
describe('liveness and readiness', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub('all-in-one');
  });
  afterAll(async () => {
    // The database was closed by the test itself.
    await hub?.stop().catch(() => {});
  });

  it('is live and ready while its database answers', async () => {
    expect((await fetch(`${hub.origin}/livez`)).status).toBe(200);
    const ready = await fetch(`${hub.origin}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ok', topology: 'all-in-one' });
  });

  it('names the subgraphs whose database is down, without SQL or driver messages, and stays live', async () => {
    await hub.database.close();
    for (const path of ['/readyz', '/health']) {
      const response = await fetch(`${hub.origin}${path}`);
      expect(response.status).toBe(503);
      const text = await response.text();
      expect(JSON.parse(text)).toEqual({ status: 'unavailable', down: ['database:shaanxi', 'database:jiangsu', 'database:pairing'] });
      expect(text).not.toMatch(/select|query|failed/i);
    }
    expect((await fetch(`${hub.origin}/livez`)).status).toBe(200);
  });
});
