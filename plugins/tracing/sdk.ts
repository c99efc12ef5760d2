import { NodeSDK } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { TracingOptions } from './schema.js';
import type { TracingRuntime } from './runtime.js';

/** `<endpoint>/v1/traces`, unless the endpoint already names the traces path. */
export function tracesUrl(endpoint: string): string {
  const base = endpoint.replace(/\/+$/, '');
  return base.endsWith('/v1/traces') ? base : `${base}/v1/traces`;
}

/**
 * Starts the OpenTelemetry SDK: OTLP/HTTP (JSON) export in batches, a parent-based ratio sampler,
 * W3C trace context. Only traces: the SDK's metric and log pipelines stay off (metrics are the
 * `metrics` plugin's Prometheus endpoint), and no auto-instrumentation is loaded: Aegis makes its
 * spans itself through the API. This module is imported only when tracing is on.
 */
export function startSdk(opts: TracingOptions, version: string): TracingRuntime {
  const url = tracesUrl(opts.endpoint);
  // Bounded, so a collector that does not answer cannot hold up the server's shutdown for long.
  const exporter = new OTLPTraceExporter({ url, timeoutMillis: 5000 });
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({ 'service.name': opts.serviceName, 'service.version': version }),
    autoDetectResources: false,
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(opts.sampleRate) }),
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: opts.batchDelayMs, exportTimeoutMillis: 5000 })],
    textMapPropagator: new W3CTraceContextPropagator(),
    instrumentations: [],
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  return { url, shutdown: () => sdk.shutdown() };
}
