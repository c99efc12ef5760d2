import type { ServerResponse } from 'node:http';
import type { Frame } from './hub.js';

/** Why a stream ended. */
export type CloseReason = 'client' | 'timeout' | 'slow' | 'shutdown';

/** Timing and limits of one stream. */
export interface StreamLimits {
  idleMs: number;
  clientTimeoutMs: number;
  maxBufferedBytes: number;
}

/**
 * One open event stream on a raw response. It writes frames, sends a `:ping` comment after
 * `idleMs` without any write, ends the stream after `clientTimeoutMs` without an event, and cuts
 * off a reader whose unsent bytes pass `maxBufferedBytes` (it stopped reading; the server must
 * not hold an unbounded queue for it). One timer per stream, re-armed from timestamps, so writing
 * an event costs no timer work.
 */
export class EventStream {
  private lastWrite = Date.now();
  private lastEvent = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private ended = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly limits: StreamLimits,
    private readonly onClose: (reason: CloseReason) => void,
  ) {
    res.on('close', () => this.finish('client'));
    this.arm();
  }

  get closed(): boolean {
    return this.ended;
  }

  /** Bytes written but not yet taken by the client. */
  get buffered(): number {
    return this.res.writableLength;
  }

  send(frame: Frame): void {
    this.write(frame.text);
    this.lastEvent = this.lastWrite;
  }

  /** An event that is not on the bus (the truncation notice), formatted by the caller. */
  sendText(text: string): void {
    this.write(text);
    this.lastEvent = this.lastWrite;
  }

  /** Ends the stream cleanly (the client sees the end of the response), or destroys it for a stalled reader. */
  close(reason: CloseReason): void {
    if (this.ended) return;
    if (reason === 'slow') this.res.destroy();
    else this.res.end();
    this.finish(reason);
  }

  private write(text: string): void {
    if (this.ended) return;
    this.res.write(text);
    this.lastWrite = Date.now();
    if (this.res.writableLength > this.limits.maxBufferedBytes) this.close('slow');
  }

  private arm(): void {
    if (this.ended) return;
    const now = Date.now();
    const pingAt = this.lastWrite + this.limits.idleMs;
    const timeoutAt = this.lastEvent + this.limits.clientTimeoutMs;
    this.timer = setTimeout(() => this.tick(), Math.max(0, Math.min(pingAt, timeoutAt) - now));
  }

  private tick(): void {
    const now = Date.now();
    if (now - this.lastEvent >= this.limits.clientTimeoutMs) { this.close('timeout'); return; }
    if (now - this.lastWrite >= this.limits.idleMs) this.write(':ping\n\n');
    this.arm();
  }

  private finish(reason: CloseReason): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.timer);
    this.onClose(reason);
  }
}
