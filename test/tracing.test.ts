import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { keptLinesLogger, startTestHub, type TestHub } from '@hub/testkit';

const COUNTY_PAGE = `query CountyPage($code: DivisionCode!) { county(code: $code) { code nameZh pairedJiangsuCity { nameZh } } }`;
/** Zhen'an, a poverty county of Shangluo, which Nanjing is paired with. */
const ZHENAN = '611025';

// As `startTracing` does when an OTLP endpoint is set, with the spans kept in memory instead.
const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

beforeAll(() => {
  provider.register();
});
afterAll(() => provider.shutdown());

const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

/** True when `span` descends from `ancestor` through spans of the same trace. */
function descendsFrom(span: ReadableSpan, ancestor: ReadableSpan, spans: ReadableSpan[]): boolean {
  const byId = new Map(spans.map((each) => [each.spanContext().spanId, each]));
  for (let current: ReadableSpan | undefined = span; current; current = byId.get(parentOf(current) ?? '')) {
    if (current === ancestor) return true;
  }
  return false;
}

for (const topology of ['all-in-one', 'distributed'] as const) {
  describe(`one request followed by its trace id (${topology})`, () => {
    let hub: TestHub;
    const { logger, lines } = keptLinesLogger();
    beforeAll(async () => {
      hub = await startTestHub(topology, {}, { logger });
    });
    afterAll(() => hub?.stop());

    it("through the gateway's span, each subgraph's work and each SQL statement, and the log lines", async () => {
      exporter.reset();
      const result = await hub.query(COUNTY_PAGE, { code: ZHENAN });
      expect(result.data?.county).toMatchObject({ code: ZHENAN, nameZh: '镇安县', pairedJiangsuCity: { nameZh: '南京市' } });
      const requestId = result.headers.get('x-request-id');
      const access = lines.find((line) => line.requestId === requestId && line.service === 'gateway' && line.message === 'request');
      const traceId: string = access?.traceId;
      expect(traceId).toMatch(/^[0-9a-f]{32}$/);

      const spans = exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);
      const server = spans.find((span) => span.kind === SpanKind.SERVER && span.attributes['hub.service'] === 'gateway');
      expect(server?.name).toBe('POST graphql');
      expect(server?.attributes['http.response.status_code']).toBe(200);
      // Apollo Gateway's own spans for the operation, its plan and each fetch, under it.
      const fetches = spans.filter((span) => span.name === 'gateway.fetch');
      expect(fetches.length).toBeGreaterThanOrEqual(2);
      for (const span of [...fetches, ...spans.filter((each) => each.name === 'gateway.request')]) expect(descendsFrom(span, server!, spans)).toBe(true);

      // Every statement the county page sent is a span of the same trace, under the gateway's.
      const statements = spans.filter((span) => span.name === 'sql');
      if (hub.database.kind === 'postgres') {
        expect(statements.length).toBeGreaterThan(0);
        for (const statement of statements) {
          expect(statement.attributes['db.query.text']).toMatch(/select/i);
          expect(descendsFrom(statement, server!, spans)).toBe(true);
          expect(JSON.stringify(statement.attributes)).not.toContain(ZHENAN);
        }
      }

      if (topology === 'distributed') {
        // Each subgraph service continued the trace the gateway sent it (traceparent) in a span of its own, under a fetch.
        const subgraphServers = spans.filter((span) => span.kind === SpanKind.SERVER && span.attributes['hub.service'] !== 'gateway');
        expect(subgraphServers.map((span) => span.attributes['hub.service']).sort()).toEqual(['jiangsu', 'shaanxi']);
        for (const span of subgraphServers) expect(fetches.some((fetch) => descendsFrom(span, fetch, spans))).toBe(true);
        // And its log line says the same trace.
        const subgraphLines = lines.filter((line) => line.requestId === requestId && line.service !== 'gateway');
        expect(subgraphLines.length).toBe(2);
        for (const line of subgraphLines) expect(line.traceId).toBe(traceId);
      }
    });
  });
}
