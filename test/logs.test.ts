import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { keptLinesLogger, startTestHub, type LogLine, type TestHub, type Topology } from '@hub/testkit';

const COUNTY_PAGE = `query CountyPage($code: DivisionCode!) { county(code: $code) { code nameZh prefecture { nameZh } pairedJiangsuCity { nameZh } } }`;
/** A page of the pipeline with each project's county and money: a list of entities from two subgraphs. */
const PIPELINE_PAGE = `query Page { pipeline(first: 50) { nodes { id county { nameZh prefecture { nameZh } } committed { fen } received { fen } } } }`;
/** Zhen'an, a poverty county of Shangluo (GB/T 2260), which Nanjing is paired with. */
const ZHENAN = '611025';

/** A hub whose log lines (info and up) are kept as parsed objects, in order. */
async function hubWithLines(topology: Topology): Promise<{ hub: TestHub; lines: LogLine[] }> {
  const { logger, lines } = keptLinesLogger();
  const hub = await startTestHub(topology, {}, { logger });
  return { hub, lines };
}

const requestLines = (lines: LogLine[], requestId: string) => lines.filter((line) => line.requestId === requestId);

for (const topology of ['all-in-one', 'distributed'] as const) {
  describe(`request logs (${topology})`, () => {
    let hub: TestHub;
    let lines: LogLine[];
    beforeAll(async () => {
      ({ hub, lines } = await hubWithLines(topology));
    });
    afterAll(() => hub?.stop());

    it('writes one line per request with its id, operation, status and time, and never its variables or token', async () => {
      const token = await hub.token('SHAANXI_OFFICE');
      const result = await hub.query(COUNTY_PAGE, { code: ZHENAN }, { token });
      expect(result.data?.county).toMatchObject({ code: ZHENAN, nameZh: '镇安县', pairedJiangsuCity: { nameZh: '南京市' } });
      const requestId = result.headers.get('x-request-id')!;
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/);

      const gateway = requestLines(lines, requestId).filter((line) => line.service === 'gateway');
      expect(gateway).toHaveLength(1);
      expect(gateway[0]).toMatchObject({
        level: 'info',
        message: 'request',
        method: 'POST',
        route: 'graphql',
        status: 200,
        operationName: 'CountyPage',
        // The test's own connection: no proxy is trusted, so no forwarded address is believed.
        clientAddress: '127.0.0.1',
      });
      expect(gateway[0]!.durationMs).toBeGreaterThan(0);
      expect(gateway[0]).not.toHaveProperty('errorCodes');
      expect(new Date(gateway[0]!.time).getTime()).toBeGreaterThan(Date.now() - 60_000);
      const written = JSON.stringify(lines);
      expect(written).not.toContain(token);
      expect(written).not.toContain(ZHENAN);

      if (topology === 'distributed') {
        // Each subgraph service that took part logged its own line under the gateway's id.
        const subgraphs = requestLines(lines, requestId).filter((line) => line.service !== 'gateway');
        expect(subgraphs.map((line) => line.service).sort()).toEqual(['jiangsu', 'shaanxi']);
        for (const line of subgraphs) expect(line).toMatchObject({ route: 'graphql', status: 200, operationName: expect.stringMatching(/^CountyPage__/) });
      }
    });

    it("keeps a caller's well-formed x-request-id and replaces any other", async () => {
      const kept = await hub.query(`{ prefectures { code } }`, undefined, { headers: { 'x-request-id': 'balancer-7f3a.42' } });
      expect(kept.headers.get('x-request-id')).toBe('balancer-7f3a.42');
      expect(requestLines(lines, 'balancer-7f3a.42').filter((line) => line.service === 'gateway')).toHaveLength(1);
      const replaced = await hub.query(`{ prefectures { code } }`, undefined, { headers: { 'x-request-id': `a b"c ${'x'.repeat(200)}` } });
      expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('logs an error inside a subgraph there, with its stack, under the id the caller was given', async () => {
      await hub.database.db.execute(sql`alter table jiangsu.city rename to city_hidden`);
      let requestId: string;
      try {
        const result = await hub.query(`query Cities { jiangsuCities { code } }`);
        expect(result.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
        requestId = result.headers.get('x-request-id')!;
        expect(result.errors?.[0]?.extensions?.requestId).toBe(requestId);
      } finally {
        await hub.database.db.execute(sql`alter table jiangsu.city_hidden rename to city`);
      }
      const about = requestLines(lines, requestId);
      const inJiangsu = about.find((line) => line.service === 'jiangsu' && line.level === 'error');
      expect(inJiangsu?.err?.stack).toMatch(/city/);
      expect(inJiangsu?.err?.stack).toMatch(/\n\s+at /);
      const access = about.find((line) => line.service === 'gateway' && line.message === 'request');
      expect(access).toMatchObject({ status: 200, operationName: 'Cities', errorCodes: ['INTERNAL_SERVER_ERROR'] });
    });
  });
}

describe('work stopped at the time limit', () => {
  it('is told by the request\'s line as TIMEOUT, not logged as an error at each field it stopped', async () => {
    const { logger, lines } = keptLinesLogger();
    // Every request runs as it comes (0047): the page's work starts past its limit of 1 ms, and
    // each statement of it is refused.
    const hub = await startTestHub('all-in-one', { REQUEST_TIMEOUT_MS: '1', MAX_RUNNING_REQUESTS: '0' }, { logger });
    try {
      const result = await hub.query(PIPELINE_PAGE);
      expect(result.status).toBe(503);
      const requestId = result.headers.get('x-request-id')!;
      // The work goes on after the answer until each of its fields is stopped.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const about = requestLines(lines, requestId);
      expect(about.filter((line) => line.level === 'error')).toEqual([]);
      expect(about.find((line) => line.service === 'gateway' && line.message === 'request')).toMatchObject({ status: 503, errorCodes: ['TIMEOUT'] });
    } finally {
      await hub.stop();
    }
  });
});

describe('LOG_LEVEL', () => {
  it('is checked at start', async () => {
    await expect(startTestHub('all-in-one', { LOG_LEVEL: 'loud' })).rejects.toThrow(/LOG_LEVEL/);
  });
});
