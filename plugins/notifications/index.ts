import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { BootError, type AegisEnvelope } from '../../kernel/index.js';
import { WindowCounter, type Principal } from '../auth/index.js';
import type { AuditEntry } from '../audit/index.js';
import type { PendingPermission } from '../sessions/index.js';
import { DEFAULT_EVENTS, matchesEvent, type Delivery, type NotificationChannel } from './channel.js';
import { Dispatcher } from './dispatcher.js';
import { PromptStale } from './errors.js';
import { deliverHttp } from './outbound.js';
import { Outbox, type OutboxEntry } from './outbox.js';
import { PromptTracker } from './prompts.js';
import { deadLetterRoutes } from './routes.js';
import { NOTIFICATION_EVENT_SCHEMAS, type NotificationEvents, type NotificationsOptions } from './schema.js';
import type {} from '../sse/index.js';
import { Scrubber } from './scrub.js';

export { optionsSchema, envOptions, type NotificationsOptions, type NotificationEvents } from './schema.js';
export { DeliveredEvent, FailedEvent, DeadLetteredEvent, CircuitEvent } from './schema.js';
export { DEFAULT_EVENTS, matchesEvent, type ShownData, type Delivery, type DeliverySession, type NotificationChannel, type SendContext, type SendOutcome } from './channel.js';
export { Scrubber, MASK, MIN_SECRET_LENGTH, type EnvLookup } from './scrub.js';
export { AddressRefused, deliverHttp, outcomeOf, retryAfterMs, send as sendHttp, type OutboundPolicy, type OutboundRequest, type OutboundResponse } from './outbound.js';
export { isPrivateAddress } from './address.js';
export { PromptStale } from './errors.js';

/** Refused interaction signatures audited per address and minute before the rest go unrecorded. */
export const REFUSALS_AUDITED = 20;

/** The person who pressed a button in a channel. */
export interface ChannelActor {
  /** The channel's name (`slack`, `discord`). */
  channel: string;
  /** The person's id in that service. */
  userId: string;
  userName?: string;
}

/** A decision taken from a channel's button. */
export interface ChannelDecision {
  sessionId: string;
  /** The id of the `permission.requested` event the button was made for (`Delivery.eventId`). */
  promptId: string;
  decision: 'approve' | 'reject';
  actor: ChannelActor;
}

/** `app.notifications`: the channel registry, the outbound scrubber and decisions from buttons. */
export interface NotificationsService {
  /** Registers a channel. Names are unique and stable (the outbox keys pending deliveries by them). */
  addChannel(channel: NotificationChannel): void;
  /** The outbound scrubber every payload leaving the machine passes. */
  readonly scrubber: Scrubber;
  /**
   * Approves or rejects the exact prompt a button was made for, as the channel user, and audits
   * it. Throws PromptStale (409) when that prompt is no longer the one pending.
   */
  decide(input: ChannelDecision): Promise<{ tool: string; detail: string; tenantId?: string }>;
  /** Appends to the audit trail when the audit plugin runs (channel refusals, decisions). */
  audit(entry: AuditEntry): Promise<void>;
  /**
   * Audits a refused interaction signature. Each refusal is an fsync'd record, so past
   * `REFUSALS_AUDITED` per address per minute only one more record says the rest are not kept;
   * every request is still verified and refused.
   */
  refused(channel: string, ip: string, code: string): Promise<void>;
  /**
   * Sends one HTTP request the way every channel should: private addresses refused after DNS
   * resolution (unless `allowPrivate`), no redirects, and the response read into an outcome.
   * Third-party channels use this instead of fetch.
   */
  readonly http: typeof deliverHttp;
  /** The timeout of one outbound request in ms (AEGIS_HOOK_TIMEOUT_MS). */
  readonly timeoutMs: number;
  /** The circuit breaker state of a channel, if it is loaded. */
  breakerState(channel: string): 'closed' | 'open' | 'half-open' | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Notification channels (notifications plugin). */
    notifications: NotificationsService;
  }
}

declare module '../../kernel/events.js' {
  interface AegisEvents extends NotificationEvents {}
}

/** Reads the session fields a channel shows, without secrets. */
function sessionOf(app: FastifyInstance, id: string | undefined) {
  const view = id ? app.sessions.get(id) : undefined;
  return view ? { view, session: { ...(view.name ? { name: view.name } : {}), status: view.status, agent: view.agent } } : undefined;
}

/**
 * The notifications plugin: channels register with `addChannel`; every bus event a channel asks
 * for is scrubbed, written to the durable outbox and delivered with a timeout, retries with
 * backoff and jitter (honouring Retry-After), a circuit breaker and a dead-letter queue.
 */
async function notifications(app: FastifyInstance, opts: NotificationsOptions) {
  const log = app.log.child({ plugin: 'notifications' }) as unknown as Logger;
  const timeoutMs = opts.hookTimeoutMs;
  const scrubber = new Scrubber((id) => app.sessions.record(id)?.env);
  scrubber.addSecret(app.config.server.authToken);
  if (app.auth.tokenFile) scrubber.addSecret((await readFile(app.auth.tokenFile, 'utf8').catch(() => '')).trim());

  const outbox = await Outbox.open(app.stateDir.path(await app.stateDir.dir('notifications'), 'outbox.jsonl'), { deadLetterLimit: opts.deadLetterLimit, log });
  const emit = <K extends keyof NotificationEvents>(name: K, payload: NotificationEvents[K]) => app.events.emit(name, payload as never);
  const dispatcher = new Dispatcher(outbox, { ...opts, timeoutMs }, emit, log);
  const channels = new Map<string, NotificationChannel>();
  const prompts = new PromptTracker();
  const locks = new Map<string, Promise<unknown>>();

  const audit = async (entry: AuditEntry) => {
    if (app.hasDecorator('audit')) await app.audit.record(entry);
  };
  const refusals = new WindowCounter(60_000);

  const accept = (env: AegisEnvelope) => {
    const name = env.name as string;
    const payload = env.payload as Record<string, unknown>;
    const sessionId = typeof payload.sessionId === 'string' ? payload.sessionId : undefined;
    if (sessionId && (name === 'permission.resolved' || name === 'session.exited')) prompts.closed(sessionId);
    if (sessionId && name === 'session.state-changed' && payload.from === 'permission_prompt') prompts.closed(sessionId);
    const requested = sessionId && name === 'permission.requested';
    const targets = [...channels.values()].filter((ch) => matchesEvent(ch.events ?? DEFAULT_EVENTS, name));
    if (!targets.length && !requested) return;
    const eventId = randomUUID();
    if (requested) prompts.requested(sessionId, eventId, payload.permission as PendingPermission);
    if (!targets.length) return;
    const found = sessionOf(app, sessionId);
    const tenantId = typeof payload.tenantId === 'string' ? payload.tenantId : found?.view.owner.tenantId;
    const base: Omit<Delivery, 'deliveryId'> = {
      eventId, type: name, at: typeof payload.at === 'string' ? payload.at : new Date(env.at).toISOString(),
      ...(sessionId ? { sessionId } : {}), ...(tenantId ? { tenantId } : {}),
      data: scrubber.scrub(payload, sessionId),
      ...(found ? { session: scrubber.scrub(found.session, sessionId) } : {}),
    };
    const acceptedAt = new Date().toISOString();
    const entries: OutboxEntry[] = targets.map((ch) => ({
      channel: ch.name, state: 'pending', attempts: 0, acceptedAt, delivery: { ...base, deliveryId: randomUUID() },
    }));
    outbox.add(entries).then(
      () => { for (const e of entries) dispatcher.enqueue(e); },
      (err) => log.error({ err, event: name }, 'notifications: the outbox could not store an event; it is not delivered'),
    );
  };

  /** Runs `fn` after any decision already running for the session, so two clicks never both act. */
  const serial = <T>(sessionId: string, fn: () => Promise<T>): Promise<T> => {
    const run = (locks.get(sessionId) ?? Promise.resolve()).catch(() => {}).then(fn);
    locks.set(sessionId, run);
    void run.catch(() => {}).finally(() => { if (locks.get(sessionId) === run) locks.delete(sessionId); });
    return run;
  };

  const service: NotificationsService = {
    scrubber,
    audit,
    async refused(channel, ip, code) {
      const n = refusals.hit(`${channel}|${ip}`);
      if (n > REFUSALS_AUDITED + 1) return;
      await audit({
        actor: 'anonymous', tenantId: null, action: `channel.${channel}.signature-refused`,
        detail: { ip, code, ...(n > REFUSALS_AUDITED ? { furtherRefusalsNotRecorded: true } : {}) },
      });
    },
    timeoutMs,
    http: deliverHttp,
    breakerState: (channel) => dispatcher.breakerState(channel),
    addChannel(channel) {
      if (channels.has(channel.name)) throw new BootError('AEGIS_ERR_NOTIFY_CHANNEL_DUPLICATE', `notifications: a channel named ${channel.name} is already registered`);
      channels.set(channel.name, channel);
      dispatcher.addChannel(channel);
      log.info({ channel: channel.name, events: channel.events ?? DEFAULT_EVENTS }, 'notification channel added');
    },
    decide: ({ sessionId, promptId, decision, actor }) => serial(sessionId, async () => {
      const view = app.sessions.get(sessionId);
      const actorId = `${actor.channel}:${actor.userId}`;
      const tenantId = view?.owner.tenantId;
      if (!view || !prompts.current(sessionId, promptId, view.pendingPermission)) {
        await audit({ actor: actorId, tenantId: tenantId ?? null, action: `channel.${actor.channel}.decision-refused`, sessionId, detail: { decision, promptId, reason: 'stale', ...(actor.userName ? { userName: actor.userName } : {}) } });
        throw new PromptStale(sessionId);
      }
      const pending = view.pendingPermission!;
      const principal: Principal = { id: actorId, kind: 'channel', role: 'operator', ...(tenantId ? { tenantId } : {}), ...(actor.userName ? { name: actor.userName } : {}) };
      if (decision === 'approve') await app.sessions.approve(sessionId, undefined, principal);
      else await app.sessions.reject(sessionId, principal);
      prompts.closed(sessionId);
      await audit({
        actor: actorId, tenantId: tenantId ?? null, action: `channel.${actor.channel}.${decision === 'approve' ? 'approved' : 'rejected'}`, sessionId,
        detail: { promptId, tool: pending.tool, user: actor.userId, ...(actor.userName ? { userName: actor.userName } : {}) },
      });
      return { tool: pending.tool, detail: scrubber.scrub(pending.detail, sessionId), ...(tenantId ? { tenantId } : {}) };
    }),
  };
  app.decorate('notifications', service);
  // Delivery outcomes reach event-stream readers too (admins, or readers of the session) when sse runs.
  if (app.hasDecorator('sse')) {
    for (const [name, schema] of Object.entries(NOTIFICATION_EVENT_SCHEMAS)) app.sse.addEventType(name as keyof NotificationEvents, schema);
  }

  const off = app.events.onAny(accept);
  await app.register(deadLetterRoutes, {
    dead: () => outbox.dead(),
    get: (id) => outbox.get(id),
    hasChannel: (name) => dispatcher.has(name),
    redeliver: async (entry) => {
      await outbox.revive(entry.delivery.deliveryId);
      dispatcher.enqueue(entry);
    },
  });

  app.addHook('onReady', async () => {
    for (const entry of outbox.pending()) {
      if (dispatcher.has(entry.channel)) { dispatcher.enqueue(entry); continue; }
      await outbox.deadLettered(entry.delivery.deliveryId, 'channel-unknown', entry.attempts, `channel ${entry.channel} is not loaded`);
      log.warn({ channel: entry.channel, deliveryId: entry.delivery.deliveryId }, 'notifications: a pending delivery names a channel that is not loaded; dead-lettered');
    }
  });
  app.addHook('onClose', async () => {
    off();
    dispatcher.close();
    await outbox.close();
  });
}

export default fp(notifications, { name: 'notifications', fastify: '5.x', dependencies: ['auth', 'sessions'] });
