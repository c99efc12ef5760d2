import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Logger } from 'pino';
import { ErrorBodySchema } from '../../kernel/index.js';
import type { Principal } from '../auth/index.js';
import { InvalidLastEventId, TooManyStreams, TooManyStreamsFromAddress } from './errors.js';
import { formatFrame, type EventHub, type Frame } from './hub.js';
import { SessionParams, StreamQuery, type SseOptions } from './schema.js';
import { EventStream, type CloseReason } from './stream.js';

/** What the routes need from the plugin. */
export interface RouteDeps {
  hub: EventHub;
  options: SseOptions;
  log: Logger;
  /** Whether `principal` may see `frame` at all (tenancy, session access). */
  visible(principal: Principal, frame: Frame): boolean;
  /** The response schema listing every event type, filled as types are registered. */
  eventsSchema: Record<string, unknown>;
  /** Open streams, so shutdown can end them. */
  open: Set<EventStream>;
}

const errors = { 400: ErrorBodySchema, 401: ErrorBodySchema, 403: ErrorBodySchema, 404: ErrorBodySchema, 429: ErrorBodySchema };

function lastEventId(request: FastifyRequest<{ Querystring: { lastEventId?: string } }>): number | undefined {
  const header = request.headers['last-event-id'];
  const raw = (Array.isArray(header) ? header[0] : header) ?? request.query.lastEventId;
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d{1,16}$/.test(raw)) throw new InvalidLastEventId(JSON.stringify(raw.slice(0, 20)));
  return Number(raw);
}

/** `GET /v1/events` and `GET /v1/sessions/:id/events`. */
export async function sseRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { hub, options, log, open } = deps;
  const perAddress = new Map<string, number>();
  const response = { 200: deps.eventsSchema, ...errors };

  const serve = (request: FastifyRequest<{ Querystring: { lastEventId?: string } }>, reply: FastifyReply, sessionId?: string) => {
    const principal = request.principal!;
    const after = lastEventId(request);
    const ip = request.ip;
    if (open.size >= options.maxStreams) {
      reply.header('retry-after', '5');
      throw new TooManyStreams(String(options.maxStreams));
    }
    if ((perAddress.get(ip) ?? 0) >= options.maxStreamsPerAddress) {
      reply.header('retry-after', '5');
      throw new TooManyStreamsFromAddress(String(options.maxStreamsPerAddress));
    }
    const accepts = (f: Frame) => (sessionId === undefined || f.sessionId === sessionId) && deps.visible(principal, f);

    reply.hijack();
    const res = reply.raw;
    res.socket?.setNoDelay(true);
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-request-id': request.id,
    });
    perAddress.set(ip, (perAddress.get(ip) ?? 0) + 1);
    let unsubscribe = () => {};
    const stream: EventStream = new EventStream(res, options, (reason: CloseReason) => {
      unsubscribe();
      open.delete(stream);
      const left = (perAddress.get(ip) ?? 1) - 1;
      if (left > 0) perAddress.set(ip, left); else perAddress.delete(ip);
      const level = reason === 'slow' ? 'warn' : 'debug';
      log[level]({ reqId: request.id, reason, principalId: principal.id, sessionId }, reason === 'slow'
        ? 'event stream cut off: the client stopped reading' : 'event stream ended');
    });
    open.add(stream);
    res.write(`retry: ${options.retryMs}\n:ok\n\n`);
    // Replay and subscribe in one tick, so no event falls between them or comes twice.
    if (after !== undefined) {
      const replay = hub.since(after);
      if (replay.truncated) {
        stream.sendText(formatFrame(replay.resumedAfter, 'stream.truncated', {
          lastEventId: after, resumedAfter: replay.resumedAfter, at: new Date().toISOString(),
        }));
      }
      for (const f of replay.frames) if (accepts(f)) stream.send(f);
    }
    if (stream.closed) return;
    unsubscribe = hub.subscribe({ accepts, send: (f) => stream.send(f) });
  };

  // No automatic HEAD twin: a HEAD would open a stream with no body that never ends.
  r.get('/v1/events', {
    exposeHeadRoute: false,
    config: { permission: 'read', stream: 'events' },
    schema: {
      tags: ['events'], summary: 'Server-Sent Events of every session the caller may see', querystring: StreamQuery,
      response,
    },
  }, async (request, reply) => { serve(request, reply); });

  r.get('/v1/sessions/:id/events', {
    exposeHeadRoute: false,
    config: { permission: 'read', stream: 'events' },
    schema: {
      tags: ['events'], summary: "Server-Sent Events of one session", params: SessionParams, querystring: StreamQuery,
      response,
    },
  }, async (request, reply) => {
    // Unknown, hidden (another tenant's) and forbidden sessions answer as the REST routes do.
    app.sessions.authorize(request.principal, request.params.id, 'read');
    serve(request, reply, request.params.id);
  });
}
