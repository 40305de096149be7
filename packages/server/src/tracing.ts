import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, propagation, trace, type Span, type TextMapSetter } from '@opentelemetry/api';

/**
 * Tracing through the OpenTelemetry API. Spans are recorded only where a tracer provider is
 * registered: `startTracing` registers one exporting over OTLP when an endpoint is configured;
 * otherwise every span is the API's no-op and nothing is sent anywhere.
 */
export const tracer = () => trace.getTracer('su-shaan-hub');

/**
 * Exports spans over OTLP/HTTP when `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` or
 * `OTEL_EXPORTER_OTLP_ENDPOINT` is set (the exporter reads the OTEL_* variables itself), under
 * `OTEL_SERVICE_NAME` or `service`. Returns the call that sends what is left and stops, or
 * undefined when tracing is off. The SDK is loaded only then.
 */
export async function startTracing(service: string, env: NodeJS.ProcessEnv = process.env): Promise<(() => Promise<void>) | undefined> {
  if (!env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT && !env.OTEL_EXPORTER_OTLP_ENDPOINT) return undefined;
  const [{ NodeTracerProvider }, { BatchSpanProcessor }, { OTLPTraceExporter }, { resourceFromAttributes }] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
  ]);
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME || service }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  provider.register();
  return () => provider.shutdown();
}

/**
 * Runs `work` in a server span for an incoming request, the child of the trace the caller
 * names in `traceparent` (the gateway, for a subgraph service), if any.
 */
/** A request's server span, and a way back into it from work its context was lost on the way to. */
export interface ServerSpan {
  span: Span;
  /** Runs `work` with this span current (body parsing runs in the socket's context, not the request's). */
  within<T>(work: () => T): T;
}

/** Starts the server span of a request, continuing the caller's trace (`traceparent`) when there is one. */
export function startServerSpan(headers: Record<string, string | string[] | undefined>, name: string, attributes: Record<string, string>): ServerSpan {
  const parent = propagation.extract(ROOT_CONTEXT, headers);
  const span = tracer().startSpan(name, { kind: SpanKind.SERVER, attributes }, parent);
  const spanContext = trace.setSpan(parent, span);
  return { span, within: (work) => context.with(spanContext, work) };
}

/** Ends a request's server span with its status: a 5xx marks it failed. */
export function endServerSpan(span: Span, status: number, route: string): void {
  span.setAttribute('http.route', route);
  span.setAttribute('http.response.status_code', status);
  if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
}

/** The trace id of the span current here, when one is recorded. */
export function currentTraceId(): string | undefined {
  const span = trace.getActiveSpan();
  return span?.isRecording() ? span.spanContext().traceId : undefined;
}

/** Writes the current trace into outgoing headers (`traceparent`), for the next service to continue it. */
export function injectTrace(set: (name: string, value: string) => void): void {
  const setter: TextMapSetter<null> = { set: (_carrier, name, value) => set(name, value) };
  propagation.inject(context.active(), null, setter);
}
