import { trace, TraceFlags, type Span } from '@opentelemetry/api';
import type { LogMixin } from '../../kernel/index.js';

// Request loggers and the server span of their request: fastify writes its access log lines
// (`request completed`) from socket callbacks, outside the span's async context.
const requestSpans = new WeakMap<object, Span>();

/** Ties a request's logger to its server span, for lines written outside the span's context. */
export function bindLoggerSpan(logger: object, span: Span): void {
  requestSpans.set(logger, span);
}

/**
 * The root logger's mixin while tracing is on: every record written inside a sampled span (or by
 * a request's logger) carries that span's `traceId` and `spanId`.
 */
export const traceLogMixin: LogMixin = (_merge, _level, logger) => {
  const span = trace.getActiveSpan() ?? requestSpans.get(logger);
  if (!span) return {};
  const sc = span.spanContext();
  if ((sc.traceFlags & TraceFlags.SAMPLED) === 0) return {};
  return { traceId: sc.traceId, spanId: sc.spanId };
};
