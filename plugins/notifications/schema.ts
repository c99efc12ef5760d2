import { Type, type Static } from '@sinclair/typebox';

const Ms = (def: number, description: string) => Type.Integer({ minimum: 0, default: def, description });

/** The `plugins.notifications` options block. */
export const optionsSchema = Type.Object({
  hookTimeoutMs: Type.Integer({ minimum: 1, default: 10000, description: 'Timeout of one delivery attempt in ms (AEGIS_HOOK_TIMEOUT_MS)' }),
  maxAttempts: Type.Integer({ minimum: 1, maximum: 100, default: 8, description: 'Attempts before a delivery is dead-lettered' }),
  retryBaseMs: Ms(1000, 'First retry delay; doubles per attempt, with jitter'),
  retryMaxMs: Ms(300000, 'Longest retry delay (a Retry-After may ask for more and is honoured)'),
  concurrency: Type.Integer({ minimum: 1, maximum: 256, default: 8, description: 'Attempts in flight per channel' }),
  breakerThreshold: Type.Integer({ minimum: 1, default: 5, description: 'Failures in a row that open a channel\'s circuit breaker' }),
  breakerCooldownMs: Ms(30000, 'How long an open breaker holds deliveries before one trial'),
  deadLetterLimit: Type.Integer({ minimum: 1, default: 10000, description: 'Dead letters kept; the oldest are dropped past it' }),
}, { additionalProperties: false, default: {} });

export type NotificationsOptions = Static<typeof optionsSchema>;

/** Environment variables read into these options by the kernel's env overlay. */
export const envOptions = { AEGIS_HOOK_TIMEOUT_MS: 'hookTimeoutMs' } as const;

const Base = {
  deliveryId: Type.String({ description: 'Stable across retries (X-Aegis-Delivery)' }),
  eventId: Type.String(),
  channel: Type.String(),
  type: Type.String({ description: 'The event delivered' }),
  sessionId: Type.Optional(Type.String()),
  tenantId: Type.Optional(Type.String()),
  status: Type.Optional(Type.Integer({ description: 'HTTP status the receiver answered' })),
  at: Type.String(),
};

/** `notification.delivered`: a receiver accepted a delivery. */
export const DeliveredEvent = Type.Object({ ...Base, attempts: Type.Integer() });
/** `notification.failed`: one attempt failed; `final` when no retry follows. */
export const FailedEvent = Type.Object({
  ...Base, attempt: Type.Integer(), error: Type.String(), final: Type.Boolean(), retryInMs: Type.Optional(Type.Integer()),
});
/** `notification.dead-lettered`: a delivery gave up and waits in the dead-letter queue. */
export const DeadLetteredEvent = Type.Object({
  ...Base, attempts: Type.Integer(), reason: Type.String({ description: 'attempts, permanent or channel-unknown' }), error: Type.Optional(Type.String()),
});
/** `notification.circuit-opened` / `notification.circuit-closed`. */
export const CircuitEvent = Type.Object({ channel: Type.String(), failures: Type.Optional(Type.Integer()), at: Type.String() });

/** Payload schemas of the events this plugin emits, by name (streamed by sse, listed in OpenAPI). */
export const NOTIFICATION_EVENT_SCHEMAS = {
  'notification.delivered': DeliveredEvent,
  'notification.failed': FailedEvent,
  'notification.dead-lettered': DeadLetteredEvent,
  'notification.circuit-opened': CircuitEvent,
  'notification.circuit-closed': CircuitEvent,
};

/** The events this plugin emits. */
export interface NotificationEvents {
  'notification.delivered': Static<typeof DeliveredEvent>;
  'notification.failed': Static<typeof FailedEvent>;
  'notification.dead-lettered': Static<typeof DeadLetteredEvent>;
  'notification.circuit-opened': Static<typeof CircuitEvent>;
  'notification.circuit-closed': Static<typeof CircuitEvent>;
}

/** One dead letter as `GET /v1/notifications/dead-letter` shows it. */
export const DeadLetterSchema = Type.Object({
  id: Type.String({ description: 'The delivery id' }),
  channel: Type.String(),
  eventId: Type.String(),
  type: Type.String(),
  sessionId: Type.Optional(Type.String()),
  tenantId: Type.Optional(Type.String()),
  at: Type.String({ description: 'When the event happened' }),
  acceptedAt: Type.String(),
  deadAt: Type.Optional(Type.String()),
  attempts: Type.Integer(),
  reason: Type.Optional(Type.String()),
  lastError: Type.Optional(Type.String()),
  lastStatus: Type.Optional(Type.Integer()),
  data: Type.Record(Type.String(), Type.Unknown(), { description: 'The scrubbed event payload' }),
});

export const DeadLetterPage = Type.Object({ entries: Type.Array(DeadLetterSchema), total: Type.Integer() });
export const DeadLetterQuery = Type.Object({
  channel: Type.Optional(Type.String()),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  offset: Type.Integer({ minimum: 0, default: 0 }),
});
export const RedeliverParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
export const RedeliverReply = Type.Object({ id: Type.String(), state: Type.Literal('pending') });
