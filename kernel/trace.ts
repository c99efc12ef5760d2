import {
  context, propagation, trace, SpanKind, SpanStatusCode, type Attributes, type Context, type Span,
} from '@opentelemetry/api';
import { VERSION } from './health.js';

/**
 * Tracing helpers for every plugin. They speak only the small OpenTelemetry API: with no SDK
 * registered (tracing off) each call is a no-op on a non-recording span, so code can be traced
 * unconditionally. The `tracing` plugin registers the SDK that makes these spans real.
 */

/** Span attribute names Aegis sets, kept in one place so dashboards and tests agree. */
export const SpanAttr = {
  sessionId: 'aegis.session.id',
  tenant: 'aegis.tenant.id',
  agent: 'aegis.agent',
  permissionMode: 'aegis.permission_mode',
  principal: 'aegis.principal.id',
  errorCode: 'aegis.error.code',
} as const;

// A proxy tracer: it follows the provider registered later, so it may be taken at import time.
const tracer = trace.getTracer('aegis', VERSION);

/** Marks a span failed: the exception as an event, the status ERROR, and the Aegis error code when there is one. */
export function failSpan(span: Span, err: unknown): void {
  const e = err instanceof Error ? err : new Error(String(err));
  span.recordException(e);
  span.setStatus({ code: SpanStatusCode.ERROR, message: e.message.split('\n')[0] });
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') span.setAttribute(SpanAttr.errorCode, code);
}

/** Runs `fn` inside a new INTERNAL span (a child of the active one); a throw marks it failed. */
export async function withSpan<T>(name: string, attributes: Attributes, fn: (span: Span) => Promise<T> | T): Promise<T> {
  return tracer.startActiveSpan(name, { kind: SpanKind.INTERNAL, attributes }, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      failSpan(span, err);
      throw err;
    } finally {
      span.end();
    }
  });
}

/** The synchronous form of `withSpan`, for work that must not become async (spawning a PTY). */
export function withSpanSync<T>(name: string, attributes: Attributes, fn: (span: Span) => T): T {
  return tracer.startActiveSpan(name, { kind: SpanKind.INTERNAL, attributes }, (span) => {
    try {
      return fn(span);
    } catch (err) {
      failSpan(span, err);
      throw err;
    } finally {
      span.end();
    }
  });
}

/**
 * Starts a span the caller ends itself (work that settles in a callback, like a JSON-RPC answer).
 * A child of the active span.
 */
export function startSpan(name: string, attributes: Attributes, parent?: Context): Span {
  return tracer.startSpan(name, { kind: SpanKind.INTERNAL, attributes }, parent);
}

/**
 * The active trace context, to keep for work that runs later outside it (a queued delivery) and
 * pass to `startSpan` as the parent.
 */
export function currentContext(): Context {
  return context.active();
}

/** Runs `fn` with `span` active, so its logs, child spans and `traceHeaders` belong to it. */
export function inSpan<T>(span: Span, fn: () => T): T {
  return context.with(trace.setSpan(context.active(), span), fn);
}

/** Adds attributes to the active span, if any (e.g. a session id known only halfway through). */
export function annotateSpan(attributes: Attributes): void {
  trace.getActiveSpan()?.setAttributes(attributes);
}

/**
 * Adds the W3C trace context of the active span (`traceparent`, `tracestate`) to outgoing
 * request headers, so the receiver continues the trace. Returns the same object.
 */
export function traceHeaders<H extends Record<string, string>>(headers: H): H {
  propagation.inject(context.active(), headers);
  return headers;
}

/** Records a span event on the active span (a retry, a fallback) with its attributes. */
export function spanEvent(name: string, attributes?: Attributes): void {
  trace.getActiveSpan()?.addEvent(name, attributes);
}
