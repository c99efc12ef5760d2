import { Type, type Static } from '@sinclair/typebox';

/** The `plugins.sse` options block. Times are in milliseconds and may be as small as 1. */
export const optionsSchema = Type.Object({
  idleMs: Type.Integer({ minimum: 1, default: 120000, description: 'A `:ping` comment after this long without a write (AEGIS_SSE_IDLE_MS)' }),
  clientTimeoutMs: Type.Integer({ minimum: 1, default: 300000, description: 'A stream is closed after this long without an event sent to it (AEGIS_SSE_CLIENT_TIMEOUT_MS)' }),
  bufferSize: Type.Integer({ minimum: 1, maximum: 1000000, default: 2000, description: 'Events kept for replay with Last-Event-ID' }),
  maxBufferedBytes: Type.Integer({ minimum: 1024, default: 1048576, description: 'A stream whose unsent bytes pass this is cut off (a reader that stopped reading)' }),
  maxStreams: Type.Integer({ minimum: 1, default: 1000, description: 'Most open streams in all; more get 429' }),
  maxStreamsPerAddress: Type.Integer({ minimum: 1, default: 50, description: 'Most open streams from one client address; more get 429' }),
  idBlock: Type.Integer({ minimum: 1, default: 100_000, description: 'Event ids reserved per write of the high-water mark, so ids keep rising across restarts' }),
  retryMs: Type.Integer({ minimum: 0, default: 2000, description: 'The `retry:` hint sent to EventSource clients' }),
}, { additionalProperties: false });

/** Validated sse options. */
export type SseOptions = Static<typeof optionsSchema>;

/** The env variables of the deployment guide that set sse options (env beats the config file). */
export const envOptions = {
  AEGIS_SSE_IDLE_MS: 'idleMs',
  AEGIS_SSE_CLIENT_TIMEOUT_MS: 'clientTimeoutMs',
} as const;

/** `?lastEventId=` (browsers cannot set the header on a first connect) and `?token=` (a stream token). */
export const StreamQuery = Type.Object({
  lastEventId: Type.Optional(Type.String({ maxLength: 20, description: 'Same as the Last-Event-ID header; the header wins' })),
  token: Type.Optional(Type.String({ maxLength: 200, description: 'A stream token from POST /v1/auth/stream-token' })),
}, { additionalProperties: false });

export const SessionParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) });

/**
 * `stream.truncated`: the first event of a resumed stream whose Last-Event-ID is older than the
 * replay buffer (or from before a restart). Events between `lastEventId` and `resumedAfter` may
 * have been missed; re-read the state over REST.
 */
export const StreamTruncatedEvent = Type.Object({
  lastEventId: Type.Integer({ description: 'The id the client asked to resume after' }),
  resumedAfter: Type.Integer({ description: 'Events after this id follow' }),
  at: Type.String(),
}, { description: 'The stream could not replay everything after Last-Event-ID' });
