import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { getToken } from './api.js';

/** How the stream is doing, for the live indicator. */
export type StreamMode = 'connecting' | 'live' | 'polling' | 'closed';

export interface EventStreamOptions {
  /** SSE path, e.g. `/v1/events` or `/v1/sessions/<id>/events`; read when connecting. */
  path: string | (() => string);
  /** The route as the OpenAPI document names it (`/v1/sessions/{id}/events`), to learn whether the server has it. */
  route: string;
  /** Each event: its bus type and parsed payload. */
  onEvent(type: string, data: unknown): void;
  /** Called on every tick while the server has no event stream, and once after each reconnect. */
  refresh(): void;
  pollMs?: number;
}

/** The API's routes, read once from its OpenAPI document; empty when the document is not served. */
let routes: Promise<Set<string>> | undefined;
function knownRoutes(): Promise<Set<string>> {
  routes ??= fetch('/v1/openapi.json', { headers: { authorization: `Bearer ${getToken() ?? ''}` } })
    .then(async (r) => r.ok ? new Set(Object.keys(((await r.json()) as { paths?: object }).paths ?? {})) : new Set<string>())
    .catch(() => new Set<string>());
  return routes;
}

/**
 * Server-Sent Events as a Lit ReactiveController: connects while the host is in the document,
 * reconnects with the last event id after a drop, and falls back to polling `refresh` when the
 * server offers no stream (learnt from its OpenAPI document, so no request fails in the console). The stream is read with fetch so the token goes in the
 * Authorization header, never in the URL.
 */
export class EventStreamController implements ReactiveController {
  mode: StreamMode = 'connecting';
  private abort: AbortController | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastId: string | undefined;
  private running = false;

  constructor(private readonly host: ReactiveControllerHost, private readonly opts: EventStreamOptions) {
    host.addController(this);
  }

  hostConnected(): void {
    this.running = true;
    void this.connect();
  }

  hostDisconnected(): void {
    this.running = false;
    this.abort?.abort();
    clearTimeout(this.timer);
    this.setMode('closed');
  }

  private setMode(m: StreamMode): void {
    if (this.mode !== m) { this.mode = m; this.host.requestUpdate(); }
  }

  private later(fn: () => void, ms: number): void {
    clearTimeout(this.timer);
    if (this.running) this.timer = setTimeout(fn, ms);
  }

  private poll = (): void => {
    this.opts.refresh();
    this.later(this.poll, this.opts.pollMs ?? 1500);
  };

  private async connect(): Promise<void> {
    if (!this.running) return;
    if (!(await knownRoutes()).has(this.opts.route)) {
      // This server has no event stream: keep the page current by asking again.
      this.setMode('polling');
      this.poll();
      return;
    }
    if (!this.running) return;
    this.abort = new AbortController();
    const headers: Record<string, string> = { accept: 'text/event-stream', authorization: `Bearer ${getToken() ?? ''}` };
    if (this.lastId) headers['last-event-id'] = this.lastId;
    let res: Response;
    try {
      const path = typeof this.opts.path === 'function' ? this.opts.path() : this.opts.path;
      res = await fetch(path, { headers, signal: this.abort.signal, cache: 'no-store' });
    } catch {
      if (this.running) { this.setMode('connecting'); this.later(() => void this.connect(), 2000); }
      return;
    }
    if (res.status === 404 || res.status === 405) {
      // This server has no event stream: keep the page current by asking again.
      void res.body?.cancel();
      this.setMode('polling');
      this.poll();
      return;
    }
    if (!res.ok || !res.body) {
      void res.body?.cancel();
      this.setMode('connecting');
      this.later(() => void this.connect(), 3000);
      return;
    }
    this.setMode('live');
    this.opts.refresh();
    try {
      await this.read(res.body);
    } catch { /* dropped or aborted */ }
    if (this.running) { this.setMode('connecting'); this.later(() => void this.connect(), 1000); }
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let buf = '';
    let type = 'message';
    let data: string[] = [];
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += decoder.decode(value, { stream: true });
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).replace(/\r$/, '');
        buf = buf.slice(nl + 1);
        if (line === '') {
          if (data.length) this.dispatch(type, data.join('\n'));
          type = 'message';
          data = [];
        } else if (line.startsWith(':')) {
          continue;
        } else {
          const i = line.indexOf(':');
          const field = i < 0 ? line : line.slice(0, i);
          const val = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
          if (field === 'event') type = val;
          else if (field === 'data') data.push(val);
          else if (field === 'id') this.lastId = val;
        }
      }
    }
  }

  private dispatch(type: string, raw: string): void {
    let data: unknown = raw;
    try { data = JSON.parse(raw); } catch { /* plain text */ }
    this.opts.onEvent(type, data);
  }
}
