import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a receiver got. */
export interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The body parsed as JSON, when it is JSON. */
  json?: any;
  /** What the receiver answered. */
  status: number;
  /** Local receive time (ms). */
  at: number;
}

/** How to answer a request: a status with optional headers and body, or `hang` to never answer. */
export type Answer = { status: number; headers?: Record<string, string>; body?: string } | 'hang';

/** A real HTTP server on 127.0.0.1 standing in for Slack, Discord or a webhook endpoint. */
export interface Receiver {
  url: string;
  requests: Received[];
  /** Sets how the following requests are answered (default 200 `ok`). */
  answer(fn: (req: Omit<Received, 'status'>, n: number) => Answer): void;
  /** Resolves with the first request (past or future) matching `pred`; rejects after `ms`. */
  waitFor(pred: (r: Received) => boolean, ms?: number): Promise<Received>;
  /** Resolves once `count` requests match `pred`. */
  waitCount(pred: (r: Received) => boolean, count: number, ms?: number): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const requests: Received[] = [];
  let answer: (req: Omit<Received, 'status'>, n: number) => Answer = () => ({ status: 200, body: 'ok' });
  const waiters = new Set<() => void>();
  const hanging = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try { json = JSON.parse(body); } catch { json = undefined; }
      const base = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, json, at: Date.now() };
      const a = answer(base, requests.length + 1);
      if (a === 'hang') { hanging.add(res); requests.push({ ...base, status: 0 }); }
      else {
        requests.push({ ...base, status: a.status });
        res.writeHead(a.status, a.headers ?? {}).end(a.body ?? '');
      }
      for (const w of waiters) w();
    });
  });
  server.keepAliveTimeout = 500;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  const waitCount = (pred: (r: Received) => boolean, count: number, ms = 30000) => new Promise<Received[]>((resolve, reject) => {
    const check = () => {
      const hits = requests.filter(pred);
      if (hits.length >= count) { waiters.delete(check); clearTimeout(timer); resolve(hits); }
    };
    const timer = setTimeout(() => { waiters.delete(check); reject(new Error(`receiver: ${requests.filter(pred).length}/${count} matching requests within ${ms} ms`)); }, ms);
    waiters.add(check);
    check();
  });

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    answer: (fn) => { answer = fn; },
    waitFor: async (pred, ms) => (await waitCount(pred, 1, ms))[0],
    waitCount,
    close: () => new Promise<void>((resolve) => {
      for (const r of hanging) r.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
