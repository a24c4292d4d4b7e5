import type { ObservabilitySettings } from '../config.js';

export interface Tracing {
  /** Exports the spans still buffered, then stops. */
  shutdown(): Promise<void>;
}

/**
 * Starts the OpenTelemetry SDK with an OTLP/HTTP trace exporter when an
 * endpoint is configured. @apollo/gateway creates its spans (`gateway.request`,
 * `gateway.plan`, `gateway.fetch`, ...) through the global tracer provider, so
 * this must run before the gateway serves its first request.
 */
export async function startTracing(settings: ObservabilitySettings): Promise<Tracing | undefined> {
  if (settings.otlpEndpoint === undefined) return undefined;
  // Loaded only when tracing is on: the SDK is large and most runs never need it.
  const [{ NodeSDK }, { OTLPTraceExporter }] = await Promise.all([import('@opentelemetry/sdk-node'), import('@opentelemetry/exporter-trace-otlp-http')]);
  const sdk = new NodeSDK({
    serviceName: settings.serviceName,
    // As the OTLP spec builds a signal's URL from OTEL_EXPORTER_OTLP_ENDPOINT.
    traceExporter: new OTLPTraceExporter({ url: `${settings.otlpEndpoint.replace(/\/+$/, '')}/v1/traces` }),
    // Traces only: left unset, the SDK would also push metrics and logs to the collector.
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}
