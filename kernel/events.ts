import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';

/**
 * The event map. Each plugin adds the events it emits by declaration merging:
 *
 * ```ts
 * declare module '../../kernel/events.js' {
 *   interface AegisEvents { 'session.created': SessionCreatedEvent }
 * }
 * ```
 * Names are `noun.past-tense`; each payload has a TypeBox schema in the emitting plugin.
 */
export interface AegisEvents {
  'server.draining': { at: string };
}

/** One delivered event, as seen by `onAny` listeners (SSE, audit, metrics, channels). */
export interface AegisEnvelope<K extends keyof AegisEvents = keyof AegisEvents> {
  name: K;
  payload: AegisEvents[K];
  /** Monotonic sequence number of this bus, for resumable streams. */
  seq: number;
  at: number;
}

type Listener<K extends keyof AegisEvents> = (payload: AegisEvents[K]) => void;
type AnyListener = (event: AegisEnvelope) => void;

/**
 * The typed, synchronous in-process event bus (`app.events`). A listener that throws is
 * logged and never breaks the emitter or other listeners.
 */
export class EventBus {
  private readonly emitter = new EventEmitter();
  private readonly anyListeners = new Set<AnyListener>();
  private seq = 0;

  constructor(private readonly log?: Logger) {
    this.emitter.setMaxListeners(0);
  }

  on<K extends keyof AegisEvents>(name: K, listener: Listener<K>): () => void {
    const safe = (payload: AegisEvents[K]) => this.guard(name, () => listener(payload));
    this.emitter.on(name, safe);
    return () => this.emitter.off(name, safe);
  }

  /** Resolves with the first payload of `name` matching `predicate`. */
  once<K extends keyof AegisEvents>(name: K, predicate: (p: AegisEvents[K]) => boolean = () => true): Promise<AegisEvents[K]> {
    return new Promise((resolve) => {
      const off = this.on(name, (p) => {
        if (predicate(p)) { off(); resolve(p); }
      });
    });
  }

  onAny(listener: AnyListener): () => void {
    this.anyListeners.add(listener);
    return () => this.anyListeners.delete(listener);
  }

  emit<K extends keyof AegisEvents>(name: K, payload: AegisEvents[K]): void {
    const envelope: AegisEnvelope = { name, payload, seq: ++this.seq, at: Date.now() } as AegisEnvelope;
    this.emitter.emit(name, payload);
    for (const l of this.anyListeners) this.guard(name, () => l(envelope));
  }

  listenerCount(name: keyof AegisEvents): number {
    return this.emitter.listenerCount(name);
  }

  private guard(name: string, fn: () => void): void {
    try { fn(); } catch (err) { this.log?.error({ err, event: name }, 'event listener threw'); }
  }
}
