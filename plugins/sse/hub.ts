import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { EventIds } from './ids.js';

/** One event as it goes out: its SSE frame is built once and written to every stream that may see it. */
export interface Frame {
  id: number;
  type: string;
  /** The session it is about, when it is about one. */
  sessionId?: string;
  tenantId?: string;
  /** `id:`, `event:` and `data:` lines and the blank line, ready to write. */
  text: string;
}

/** A stream listening to the hub. */
export interface Subscriber {
  /** Whether this stream may see the frame (tenancy, session filter). */
  accepts(frame: Frame): boolean;
  send(frame: Frame): void;
}

/** What replaying after a Last-Event-ID found. */
export interface Replay {
  frames: Frame[];
  /** True when events after `lastEventId` may be missing (older than the buffer, or from before a restart). */
  truncated: boolean;
  /** Frames follow this id. */
  resumedAfter: number;
}

/** Builds an SSE frame. JSON has no raw newlines, so `data:` is one line. */
export function formatFrame(id: number, type: string, data: unknown): string {
  return `id: ${id}\nevent: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * The fan-out: takes events of the registered types off the bus, strips each payload down to its
 * schema (so a field added later, such as a secret, never reaches a stream by accident), numbers
 * it, keeps the last `size` in a ring for replay, and hands it to every subscriber that accepts it.
 */
export class EventHub {
  private readonly ring: Array<Frame | undefined>;
  private head = 0;
  private count = 0;
  private readonly subscribers = new Set<Subscriber>();

  constructor(private readonly ids: EventIds, private readonly size: number) {
    this.ring = new Array(size);
  }

  get streams(): number {
    return this.subscribers.size;
  }

  subscribe(s: Subscriber): () => void {
    this.subscribers.add(s);
    return () => { this.subscribers.delete(s); };
  }

  /** Numbers, buffers and fans out one event whose payload is checked against `schema`. */
  publish(type: string, schema: TSchema, payload: unknown): Frame {
    const data = Value.Clean(schema, structuredClone(payload)) as Record<string, unknown>;
    const id = this.ids.next();
    const frame: Frame = { id, type, text: formatFrame(id, type, data) };
    if (typeof data.sessionId === 'string') frame.sessionId = data.sessionId;
    if (typeof data.tenantId === 'string') frame.tenantId = data.tenantId;
    this.ring[(this.head + this.count) % this.size] = frame;
    if (this.count < this.size) this.count++;
    else this.head = (this.head + 1) % this.size;
    for (const s of [...this.subscribers]) if (s.accepts(frame)) s.send(frame);
    return frame;
  }

  /** The buffered frames after `lastEventId`, and whether some may be gone. */
  since(lastEventId: number): Replay {
    const frames: Frame[] = [];
    for (let i = 0; i < this.count; i++) {
      const f = this.ring[(this.head + i) % this.size]!;
      if (f.id > lastEventId) frames.push(f);
    }
    const current = this.ids.current;
    const oldest = this.count ? this.ring[this.head]!.id : current + 1;
    // Ids below the oldest buffered one are gone. The buffer only holds this run's events, and a
    // restart starts above the reserved block, so an id of an earlier run is a gap too.
    const truncated = lastEventId + 1 < oldest || lastEventId > current;
    return { frames, truncated, resumedAfter: frames.length ? frames[0]!.id - 1 : current };
  }
}
