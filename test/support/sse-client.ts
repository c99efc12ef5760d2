import { request, type ClientRequest, type IncomingMessage } from 'node:http';

/** One Server-Sent Event as a client parsed it. */
export interface SseEvent {
  id?: string;
  event: string;
  data: any;
  /** When this client parsed it (ms since the epoch). */
  receivedAt: number;
}

/** A real HTTP event-stream client for tests and benchmarks (what EventSource does, without reconnecting). */
export interface SseClient {
  status: number;
  headers: IncomingMessage['headers'];
  /** The error body when the status is not 200. */
  body?: any;
  events: SseEvent[];
  /** Comment lines seen (`ping`, `ok`). */
  comments: string[];
  /** Resolves once the server ends the stream (or the socket closes). */
  ended: Promise<void>;
  /** The id of the last event with one, for reconnecting. */
  lastId(): string | undefined;
  /** Resolves with the first event (from the start) matching `pred`; rejects after `ms`. */
  next(pred: (e: SseEvent) => boolean, ms?: number): Promise<SseEvent>;
  /** Resolves once `n` events matching `pred` have arrived; rejects after `ms`. */
  count(pred: (e: SseEvent) => boolean, n: number, ms?: number): Promise<SseEvent[]>;
  /** Stops reading from the socket (a stalled consumer). */
  pause(): void;
  close(): void;
  req: ClientRequest;
  res?: IncomingMessage;
}

/** Opens `url` (http://127.0.0.1...) with `headers`; resolves once the response headers (or an error body) arrive. */
export function openStream(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const waiters = new Set<() => void>();
    const client = {
      status: 0, headers: {}, events: [] as SseEvent[], comments: [] as string[],
    } as unknown as SseClient;
    let endResolve!: () => void;
    client.ended = new Promise((r) => { endResolve = r; });
    const wake = () => { for (const w of [...waiters]) w(); };
    client.lastId = () => [...client.events].reverse().find((e) => e.id !== undefined)?.id;
    client.count = (pred, n, ms = 10000) => new Promise((res, rej) => {
      const check = () => {
        const hits = client.events.filter(pred);
        if (hits.length >= n) { done(); res(hits); }
      };
      const done = () => { clearTimeout(timer); waiters.delete(check); };
      const timer = setTimeout(() => { done(); rej(new Error(`only ${client.events.filter(pred).length} of ${n} events within ${ms} ms`)); }, ms);
      waiters.add(check);
      check();
    });
    client.next = (pred, ms) => client.count(pred, 1, ms).then((hits) => hits[0]!);
    const req = request(url, { headers: { accept: 'text/event-stream', ...headers }, agent: false }, (res) => {
      client.res = res;
      client.status = res.statusCode ?? 0;
      client.headers = res.headers;
      res.setEncoding('utf8');
      let buf = '';
      if (client.status !== 200) {
        res.on('data', (d: string) => { buf += d; });
        res.on('end', () => { try { client.body = JSON.parse(buf); } catch { client.body = buf; } endResolve(); resolve(client); });
        return;
      }
      res.on('data', (chunk: string) => {
        buf += chunk;
        for (let at = buf.indexOf('\n\n'); at >= 0; at = buf.indexOf('\n\n')) {
          const block = buf.slice(0, at);
          buf = buf.slice(at + 2);
          const e: Partial<SseEvent> = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) client.comments.push(line.slice(1));
            else if (line.startsWith('id: ')) e.id = line.slice(4);
            else if (line.startsWith('event: ')) e.event = line.slice(7);
            else if (line.startsWith('data: ')) e.data = JSON.parse(line.slice(6));
          }
          if (e.event) client.events.push({ ...e, receivedAt: Date.now() } as SseEvent);
        }
        wake();
      });
      const end = () => { endResolve(); wake(); };
      res.on('end', end);
      res.on('close', end);
      res.on('error', end);
      resolve(client);
    });
    client.req = req;
    client.pause = () => { client.res?.pause(); req.socket?.pause(); };
    client.close = () => { req.destroy(); };
    req.on('error', (err) => { if (client.status === 0) reject(err); else endResolve(); });
    req.end();
  });
}
