import type { Logger } from 'pino';
import type { Context, Span } from '@opentelemetry/api';
import { currentContext, failSpan, inSpan, startSpan } from '../../kernel/index.js';
import { Breaker } from './breaker.js';
import type { NotificationChannel, SendOutcome } from './channel.js';
import type { Outbox, OutboxEntry } from './outbox.js';
import type { NotificationEvents } from './schema.js';

/** Delivery tuning, from the plugin's options. */
export interface DispatchOptions {
  timeoutMs: number;
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  concurrency: number;
  breakerThreshold: number;
  breakerCooldownMs: number;
}

/** The longest wait a receiver's Retry-After may impose; past it a hostile or broken header would hold a channel for good. */
export const MAX_RETRY_AFTER_MS = 3_600_000;

type Emit = <K extends keyof NotificationEvents>(name: K, payload: NotificationEvents[K]) => void;

interface Lane {
  channel: NotificationChannel;
  ready: OutboxEntry[];
  /** Entries waiting for their retry time. */
  delayed: Map<OutboxEntry, number>;
  inflight: Set<AbortController>;
  breaker: Breaker;
  pausedUntil: number;
  timer?: NodeJS.Timeout;
  timerAt?: number;
}

/** Exponential backoff with jitter: a random point in the upper half of base * 2^(attempt-1), capped. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * Runs deliveries: one lane per channel with its own concurrency, circuit breaker and rate-limit
 * pause. Every outcome is written to the outbox and told on the bus. Nothing here polls: each
 * lane arms one timer for its next due entry.
 */
export class Dispatcher {
  private readonly lanes = new Map<string, Lane>();
  private closed = false;
  /** Trace context at enqueue, by delivery id: the delivery's span is a child of what caused it. */
  private readonly parents = new Map<string, Context>();
  /** The open `channel.<name>.<event>` span of each delivery, from its first attempt to its outcome. */
  private readonly spans = new Map<string, Span>();

  constructor(private readonly outbox: Outbox, private readonly opts: DispatchOptions, private readonly emit: Emit, private readonly log: Logger) {}

  addChannel(channel: NotificationChannel): void {
    this.lanes.set(channel.name, {
      channel, ready: [], delayed: new Map(), inflight: new Set(), pausedUntil: 0,
      breaker: new Breaker(this.opts.breakerThreshold, this.opts.breakerCooldownMs),
    });
  }

  has(channel: string): boolean { return this.lanes.has(channel); }

  /** Queues a persisted entry for its channel. */
  enqueue(entry: OutboxEntry): void {
    const lane = this.lanes.get(entry.channel);
    if (!lane || this.closed) return;
    if (!this.parents.has(entry.delivery.deliveryId)) this.parents.set(entry.delivery.deliveryId, currentContext());
    lane.ready.push(entry);
    this.pump(lane);
  }

  /** Stops every lane and aborts attempts in flight; their entries stay pending in the outbox. */
  close(): void {
    this.closed = true;
    for (const span of this.spans.values()) span.end();
    this.spans.clear();
    this.parents.clear();
    for (const lane of this.lanes.values()) {
      clearTimeout(lane.timer);
      for (const ac of lane.inflight) ac.abort();
    }
  }

  /** Breaker state per channel, for the README's operators and the tests. */
  breakerState(channel: string) { return this.lanes.get(channel)?.breaker.state; }

  /** The delivery's span, started at its first attempt as a child of the context it was enqueued in. */
  private spanOf(lane: Lane, entry: OutboxEntry): Span {
    const d = entry.delivery;
    let span = this.spans.get(d.deliveryId);
    if (!span) {
      span = startSpan(`channel.${lane.channel.name}.${d.type}`, {
        'aegis.channel': lane.channel.name, 'aegis.delivery.id': d.deliveryId, 'aegis.event': d.type,
        ...(d.sessionId ? { 'aegis.session.id': d.sessionId } : {}), ...(d.tenantId ? { 'aegis.tenant.id': d.tenantId } : {}),
      }, this.parents.get(d.deliveryId));
      this.spans.set(d.deliveryId, span);
    }
    return span;
  }

  private endSpan(deliveryId: string, finish: (span: Span) => void): void {
    const span = this.spans.get(deliveryId);
    this.spans.delete(deliveryId);
    this.parents.delete(deliveryId);
    if (span) { finish(span); span.end(); }
  }

  private pump(lane: Lane): void {
    if (this.closed) return;
    const now = Date.now();
    for (const [entry, at] of lane.delayed) if (at <= now) { lane.delayed.delete(entry); lane.ready.push(entry); }
    let wake = Math.min(Infinity, ...lane.delayed.values());
    if (now < lane.pausedUntil) {
      wake = Math.min(wake, lane.pausedUntil);
    } else {
      const allowed = lane.breaker.allowance(now, this.opts.concurrency);
      while (lane.inflight.size < allowed && lane.ready.length) void this.attempt(lane, lane.ready.shift()!);
      if (lane.ready.length && allowed === 0) wake = Math.min(wake, lane.breaker.reopensAt);
    }
    this.arm(lane, wake);
  }

  private arm(lane: Lane, at: number): void {
    if (at === Infinity || (lane.timer && lane.timerAt !== undefined && lane.timerAt <= at)) return;
    clearTimeout(lane.timer);
    lane.timerAt = at;
    lane.timer = setTimeout(() => { lane.timer = undefined; lane.timerAt = undefined; this.pump(lane); }, Math.max(0, at - Date.now()));
    lane.timer.unref?.();
  }

  private async attempt(lane: Lane, entry: OutboxEntry): Promise<void> {
    const ac = new AbortController();
    lane.inflight.add(ac);
    const attempt = ++entry.attempts;
    const timer = setTimeout(() => ac.abort(), this.opts.timeoutMs);
    let outcome: SendOutcome;
    try {
      const span = this.spanOf(lane, entry);
      outcome = await inSpan(span, () => lane.channel.send(entry.delivery, { signal: ac.signal, attempt, timeoutMs: this.opts.timeoutMs }));
      if (!outcome.ok && ac.signal.aborted && !this.closed) outcome = { ...outcome, error: `timed out after ${this.opts.timeoutMs} ms` };
    } catch (err) {
      outcome = { ok: false, error: ac.signal.aborted ? `timed out after ${this.opts.timeoutMs} ms` : `channel error: ${(err as Error).message}` };
    } finally {
      clearTimeout(timer);
      lane.inflight.delete(ac);
    }
    if (this.closed) return;
    // settle() updates the lane (breaker, pause, retry time) before its first await, so the lane
    // can move on while the outcome is written; a lost 'delivered' record only means a duplicate.
    void this.settle(lane, entry, outcome).catch((err) => this.log.error({ err, channel: lane.channel.name }, 'notifications: could not record an outcome'));
    this.pump(lane);
  }

  private async settle(lane: Lane, entry: OutboxEntry, outcome: SendOutcome): Promise<void> {
    const d = entry.delivery;
    const base = {
      deliveryId: d.deliveryId, eventId: d.eventId, channel: lane.channel.name, type: d.type,
      ...(d.sessionId ? { sessionId: d.sessionId } : {}), ...(d.tenantId ? { tenantId: d.tenantId } : {}),
    };
    const now = Date.now();
    const at = new Date(now).toISOString();
    if (outcome.pauseMs) lane.pausedUntil = Math.max(lane.pausedUntil, now + Math.min(outcome.pauseMs, MAX_RETRY_AFTER_MS));
    if (outcome.ok) {
      if (lane.breaker.success()) this.emit('notification.circuit-closed', { channel: lane.channel.name, at });
      await this.outbox.delivered(d.deliveryId);
      this.endSpan(d.deliveryId, (span) => span.setAttributes({ 'aegis.delivery.attempts': entry.attempts, ...(outcome.status ? { 'http.response.status_code': outcome.status } : {}) }));
      this.emit('notification.delivered', { ...base, attempts: entry.attempts, ...(outcome.status ? { status: outcome.status } : {}), at });
      return;
    }
    const status = outcome.status ? { status: outcome.status } : {};
    const retryAfter = Math.min(outcome.retryAfterMs ?? 0, MAX_RETRY_AFTER_MS);
    if (outcome.rateLimited) {
      lane.pausedUntil = Math.max(lane.pausedUntil, now + (retryAfter || 1000));
    } else if (lane.breaker.failure(now)) {
      this.emit('notification.circuit-opened', { channel: lane.channel.name, failures: lane.breaker.consecutiveFailures, at });
    }
    const final = outcome.permanent || entry.attempts >= this.opts.maxAttempts;
    if (final) {
      const reason = outcome.permanent ? 'permanent' : 'attempts';
      await this.outbox.deadLettered(d.deliveryId, reason, entry.attempts, outcome.error, outcome.status);
      this.endSpan(d.deliveryId, (span) => {
        span.setAttributes({ 'aegis.delivery.attempts': entry.attempts, 'aegis.delivery.dead_lettered': reason, ...(outcome.status ? { 'http.response.status_code': outcome.status } : {}) });
        failSpan(span, new Error(outcome.error ?? 'delivery failed'));
      });
      this.emit('notification.failed', { ...base, attempt: entry.attempts, error: outcome.error, ...status, final: true, at });
      this.emit('notification.dead-lettered', { ...base, attempts: entry.attempts, reason, error: outcome.error, ...status, at });
      this.log.warn({ ...base, error: outcome.error, ...status }, 'notifications: delivery dead-lettered');
      return;
    }
    const retryInMs = Math.max(backoffMs(entry.attempts, this.opts.retryBaseMs, this.opts.retryMaxMs), retryAfter);
    lane.delayed.set(entry, now + retryInMs);
    // Told before the record is written, so the bus sees attempts in the order they happened.
    this.emit('notification.failed', { ...base, attempt: entry.attempts, error: outcome.error, ...status, final: false, retryInMs, at });
    await this.outbox.attempted(d.deliveryId, entry.attempts, outcome.error, outcome.status);
    this.spans.get(d.deliveryId)?.addEvent('retry', {
      'aegis.delivery.attempt': entry.attempts, 'aegis.delivery.retry_in_ms': retryInMs, 'error.message': outcome.error ?? '',
      ...(outcome.status ? { 'http.response.status_code': outcome.status } : {}),
    });
  }
}
