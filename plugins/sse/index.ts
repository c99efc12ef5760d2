import fp from 'fastify-plugin';
import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { AegisEvents } from '../../kernel/index.js';
import { can, type Principal } from '../auth/index.js';
import { SessionEventSchemas } from '../sessions/index.js';
import { EventHub, type Frame } from './hub.js';
import { EventIds } from './ids.js';
import { sseRoutes } from './routes.js';
import { StreamTruncatedEvent, type SseOptions } from './schema.js';
import type { EventStream } from './stream.js';

export { optionsSchema, envOptions, StreamTruncatedEvent, type SseOptions } from './schema.js';

/** `app.sse`: which bus events go out on the event streams, and how many streams are open. */
export interface SseService {
  /**
   * Streams bus events of type `name`, each payload cut down to `schema` (listed in OpenAPI).
   * Call while plugins load. Events with a `sessionId` reach whoever may read that session;
   * others reach admins (of their `tenantId`, when they carry one).
   */
  addEventType(name: keyof AegisEvents & string, schema: TSchema): void;
  /** Event types streamed. */
  eventTypes(): string[];
  /** Open streams. */
  readonly streams: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Server-Sent Event streams (sse plugin). */
    sse: SseService;
  }
}

/** One `text/event-stream` frame of `name`, for the route's OpenAPI listing. */
const frameSchema = (name: string, data: TSchema) => Type.Object({
  id: Type.String({ description: 'Monotonic per server, across restarts' }),
  event: Type.Literal(name),
  data,
}, { title: name, description: data.description });

/**
 * The sse plugin: every registered bus event, numbered, buffered for replay and fanned out to
 * `GET /v1/events` and `GET /v1/sessions/:id/events`, filtered by what the caller may see.
 */
async function sse(app: FastifyInstance, options: SseOptions) {
  const log = app.log.child({ plugin: 'sse' }) as unknown as Logger;
  const ids = await EventIds.open(app.stateDir.path('sse/event-ids.json'), options.idBlock, log);
  const hub = new EventHub(ids, options.bufferSize);
  const types = new Map<string, TSchema>();
  const frames: TSchema[] = [frameSchema('stream.truncated', StreamTruncatedEvent)];
  const eventsSchema = {
    description: 'A stream of Server-Sent Events; `event:` is the type, `data:` its JSON payload, `id:` resumes with Last-Event-ID',
    // A plain anyOf over the live array, so types added by later plugins are listed too.
    content: { 'text/event-stream': { schema: { anyOf: frames } } },
  };
  let ready = false;

  const service: SseService = {
    addEventType(name, schema) {
      if (ready) throw new Error(`sse: event type ${name} added after the server started`);
      if (types.has(name)) return;
      types.set(name, schema);
      frames.push(frameSchema(name, schema));
    },
    eventTypes: () => [...types.keys()],
    get streams() { return hub.streams; },
  };
  for (const [name, schema] of Object.entries(SessionEventSchemas)) service.addEventType(name as keyof AegisEvents & string, schema);
  app.decorate('sse', service);

  const visible = (principal: Principal, frame: Frame): boolean => {
    // Belt and braces with the access policies: a tenant's principal never sees another tenant's event.
    if (principal.tenantId !== undefined && frame.tenantId !== principal.tenantId) return false;
    if (frame.sessionId === undefined) return can(principal, 'admin');
    const record = app.sessions.record(frame.sessionId);
    return !record || app.sessions.access(principal, record, 'read') === 'allow';
  };

  const open = new Set<EventStream>();
  app.events.onAny((e) => {
    const schema = types.get(e.name);
    if (schema) hub.publish(e.name, schema, e.payload);
  });
  const endAll = () => { for (const s of [...open]) s.close('shutdown'); };
  // Streams never finish by themselves; ending them as draining starts lets the drain finish at once.
  app.events.on('server.draining', endAll);
  app.addHook('onReady', async () => { ready = true; });
  app.addHook('onClose', async () => { endAll(); await ids.flush(); });

  await app.register(sseRoutes, { hub, options, log, visible, eventsSchema, open });
}

export default fp(sse, { name: 'sse', fastify: '5.x', dependencies: ['auth', 'sessions'] });
