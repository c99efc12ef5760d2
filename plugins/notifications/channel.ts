/**
 * What a channel is and what it receives. Channel plugins (first- or third-party) import these
 * types from the notifications plugin's index and register with `app.notifications.addChannel`.
 */

/** A snapshot of the session an event is about, taken when the event was accepted. */
export interface DeliverySession {
  name?: string;
  status?: string;
  agent?: string;
}

/** One event on its way to one channel. Everything in it has passed the outbound scrubber. */
export interface Delivery {
  /** Stable for this event and channel across retries and restarts: receivers dedupe on it. */
  deliveryId: string;
  /** The event's id, the same for every channel it goes to. */
  eventId: string;
  /** The bus event name (`permission.requested`, `session.exited`, ...). */
  type: string;
  /** ISO time of the event. */
  at: string;
  sessionId?: string;
  tenantId?: string;
  /** The event payload, scrubbed. */
  data: Record<string, unknown>;
  session?: DeliverySession;
}

/** The event fields channels commonly show, read defensively (payloads vary by event). */
export interface ShownData {
  permission?: { tool?: unknown; detail?: unknown };
  question?: { question?: unknown };
  decision?: unknown;
  actorId?: unknown;
  from?: unknown;
  to?: unknown;
  exitCode?: unknown;
  reason?: unknown;
}

/** What one attempt came to. A thrown error counts as a retryable failure. */
export type SendOutcome =
  | { ok: true; status?: number; pauseMs?: number }
  | {
    ok: false;
    /** Why, without secrets (no URL paths or tokens): it is logged and kept in the dead-letter queue. */
    error: string;
    status?: number;
    /** The receiver asked for this wait (Retry-After, Discord's reset-after). */
    retryAfterMs?: number;
    /** Retrying cannot help (a 4xx, a refused address): dead-letter at once. */
    permanent?: boolean;
    /** The endpoint is rate limited: hold every delivery of the channel, not only this one. */
    rateLimited?: boolean;
    /** Hold the channel this long (a rate-limit bucket that is empty). */
    pauseMs?: number;
  };

/** What an attempt is given. */
export interface SendContext {
  /** Aborted when the attempt passes the timeout or the server shuts down. */
  signal: AbortSignal;
  /** 1-based attempt number. */
  attempt: number;
  /** The delivery timeout in ms (AEGIS_HOOK_TIMEOUT_MS). */
  timeoutMs: number;
}

/** A notification channel: one endpoint with its own retries, circuit breaker and rate limit. */
export interface NotificationChannel {
  /** Unique and stable across restarts: the outbox keys pending deliveries by it. */
  readonly name: string;
  /**
   * Event patterns: exact names, `prefix.*`, or `*`. Default `DEFAULT_EVENTS`. `notification.*`
   * events never go to channels (a failing channel would feed itself).
   */
  readonly events?: readonly string[];
  /** Sends one delivery; resolves with the outcome. Must honour `ctx.signal`. */
  send(delivery: Delivery, ctx: SendContext): Promise<SendOutcome>;
}

/**
 * The events a channel gets when it names none: what a person may act on, not every state change
 * (a chat channel fed every `session.state-changed` is noise nobody reads).
 */
export const DEFAULT_EVENTS: readonly string[] = ['session.created', 'session.exited', 'permission.*', 'question.*'];

/** Whether event `name` matches one of `patterns` (`*`, `prefix.*` or an exact name). */
export function matchesEvent(patterns: readonly string[], name: string): boolean {
  if (name.startsWith('notification.')) return false;
  return patterns.some((p) => p === '*' || p === name || (p.endsWith('.*') && name.startsWith(p.slice(0, -1))));
}
