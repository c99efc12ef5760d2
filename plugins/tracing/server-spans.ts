import {
  context, propagation, trace, ROOT_CONTEXT, SpanKind, SpanStatusCode, type Context, type Span,
} from '@opentelemetry/api';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SpanAttr, VERSION } from '../../kernel/index.js';
import { bindLoggerSpan } from './correlation.js';

interface Active { span: Span; ctx: Context }
const active = new WeakMap<FastifyRequest, Active>();
const tracer = trace.getTracer('aegis-http', VERSION);

/** `<METHOD> <route template>`, or the method alone when no route matched (a 404). */
export function spanName(request: FastifyRequest): string {
  const route = request.routeOptions.url;
  return route ? `${request.method} ${route}` : request.method;
}

function startServerSpan(name: string, headers: IncomingHttpHeaders): Active {
  const parent = propagation.extract(ROOT_CONTEXT, headers);
  const span = tracer.startSpan(name, { kind: SpanKind.SERVER }, parent);
  return { span, ctx: trace.setSpan(parent, span) };
}

/** What a session route's span also gets: the session's agent, permission mode and tenant. */
export type SessionLookup = (id: string) => { agent: string; permissionMode: string; tenantId?: string } | undefined;

function finish(request: FastifyRequest, status: number, session: SessionLookup, aborted = false): void {
  const a = active.get(request);
  if (!a) return;
  active.delete(request);
  const { span } = a;
  span.setAttribute('http.response.status_code', status);
  const params = request.params as Record<string, unknown> | undefined;
  const s = request.routeOptions.url?.includes('/sessions/:id') && typeof params?.id === 'string' ? session(params.id) : undefined;
  if (s) {
    span.setAttributes({ [SpanAttr.agent]: s.agent, [SpanAttr.permissionMode]: s.permissionMode });
    if (s.tenantId) span.setAttribute(SpanAttr.tenant, s.tenantId);
  }
  const principal = (request as { principal?: { id?: string; tenantId?: string } | null }).principal;
  if (principal?.id) span.setAttribute(SpanAttr.principal, principal.id);
  if (principal?.tenantId) span.setAttribute(SpanAttr.tenant, principal.tenantId);
  if (aborted) span.setStatus({ code: SpanStatusCode.ERROR, message: 'client aborted the request' });
  // A 4xx is the caller's mistake, not the server's: only 5xx marks a server span failed.
  else if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${status}` });
  span.end();
}

/**
 * One SERVER span per request, named `<METHOD> <route template>`: a caller's W3C `traceparent`
 * becomes its parent; hooks, the handler and everything they start run inside it (the span's
 * context is entered again before the handler, since body parsing leaves it).
 */
export function installServerSpans(app: FastifyInstance, session: SessionLookup): void {
  // The span starts when fastify makes the request's logger, before its `incoming request` line,
  // so that line carries the trace id too; the route is named once it is known (onRequest).
  const early = new WeakMap<IncomingMessage, Active>();
  app.setChildLoggerFactory(function childLogger(logger, bindings, opts, raw) {
    const child = logger.child(bindings, opts);
    const a = startServerSpan(raw.method ?? 'HTTP', raw.headers);
    early.set(raw, a);
    bindLoggerSpan(child, a.span);
    return child;
  });
  app.addHook('onRequest', (request, _reply, done) => {
    // Routes whose context was made before this plugin (the default 404) have no early span.
    const a = early.get(request.raw) ?? startServerSpan(request.method, request.headers);
    early.delete(request.raw);
    const route = request.routeOptions.url;
    const params = request.params as Record<string, unknown> | undefined;
    a.span.updateName(spanName(request));
    a.span.setAttributes({
      'http.request.method': request.method,
      'url.path': request.url.split('?')[0],
      'url.scheme': request.protocol,
      ...(route ? { 'http.route': route } : {}),
      ...(route?.includes('/sessions/:id') && typeof params?.id === 'string' ? { [SpanAttr.sessionId]: params.id } : {}),
      'aegis.request.id': request.id,
    });
    active.set(request, a);
    bindLoggerSpan(request.log, a.span);
    context.with(a.ctx, done);
  });
  app.addHook('preHandler', (request, _reply, done) => {
    const a = active.get(request);
    if (a) context.with(a.ctx, done); else done();
  });
  app.addHook('onError', (request, _reply, error, done) => {
    const a = active.get(request);
    if (a) {
      a.span.recordException(error);
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string') a.span.setAttribute(SpanAttr.errorCode, code);
    }
    done();
  });
  app.addHook('onResponse', (request, reply, done) => { finish(request, reply.statusCode, session); done(); });
  app.addHook('onRequestAbort', (request, done) => { finish(request, 499, session, true); done(); });
}
