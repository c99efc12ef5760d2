/**
 * Webhook deliveries per second to a local receiver: N events on the bus, each written to the
 * durable outbox (fsync'd, batched), signed and POSTed to a real HTTP server on 127.0.0.1.
 * Prints throughput and the event -> receipt latency; asserts nothing.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/notify-webhook.js [events] [concurrency]
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { buildApp } from '../kernel/app.js';
import { loadConfig } from '../kernel/config/load.js';
import { catalogue } from '../plugins/index.js';
import '../plugins/notifications/index.js';
import '../plugins/sessions/index.js';
import { pct } from './lib/stats.js';

const N = Number(process.argv[2] ?? 5000);
const CONCURRENCY = Number(process.argv[3] ?? 8);

const sentAt = new Map<string, number>();
const latencies: number[] = [];
const seen = new Set<string>();
let waitingFor: { sessionId: string; resolve: () => void } | undefined;
let resolveAll!: () => void;
const all = new Promise<void>((r) => { resolveAll = r; });
const receiver = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    res.writeHead(204).end();
    const sid = JSON.parse(Buffer.concat(chunks).toString()).sessionId as string;
    if (waitingFor?.sessionId === sid) { waitingFor.resolve(); waitingFor = undefined; return; }
    if (seen.has(sid)) return;
    seen.add(sid);
    latencies.push(performance.now() - sentAt.get(sid)!);
    if (seen.size === N) resolveAll();
  });
});
await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

const stateDir = await mkdtemp(join(tmpdir(), 'aegis-bench-notify-'));
const env = { AEGIS_HOST: '127.0.0.1', AEGIS_STATE_DIR: stateDir, AEGIS_AUTH_TOKEN: 'bench-token-0123456789abcdef0123456' };
const config = await loadConfig({ env, cwd: stateDir, home: stateDir, dockerProbe: { dockerenvPath: '/nonexistent', cgroupPath: '/nonexistent' } });
config.plugins = {
  notifications: { concurrency: CONCURRENCY },
  'notify-webhook': { endpoints: [{ url, secret: 'bench-secret-0123456789abcdef', events: ['session.exited'] }], allowPrivate: true },
} as typeof config.plugins;
const app = await buildApp(config, { catalogue, logger: pino({ level: 'warn' }) });
await app.ready();

let dead = 0;
app.events.on('notification.dead-lettered', () => { dead++; });
const t0 = performance.now();
for (let i = 0; i < N; i++) {
  const sessionId = `bench-${i}`;
  sentAt.set(sessionId, performance.now());
  app.events.emit('session.exited', { sessionId, at: new Date().toISOString(), exitCode: 0, signal: null });
}
const emitted = performance.now() - t0;
await all;
const total = performance.now() - t0;

console.log(`webhook deliveries: ${N} events, concurrency ${CONCURRENCY} per channel, durable outbox (fsync per batch)`);
console.log(`  emitting all:        ${emitted.toFixed(1)} ms`);
console.log(`  all delivered in:    ${total.toFixed(1)} ms`);
console.log(`  deliveries/s:        ${(N / (total / 1000)).toFixed(0)}`);
console.log(`  event -> receipt ms: p50 ${pct(latencies, 50).toFixed(1)}  p99 ${pct(latencies, 99).toFixed(1)}  max ${Math.max(...latencies).toFixed(1)}`);
console.log(`  lost: ${N - seen.size}, dead-lettered: ${dead}`);

// One event at a time: the latency of a single delivery when nothing is queued ahead of it.
const ONE = 200;
const single: number[] = [];
for (let i = 0; i < ONE; i++) {
  const sessionId = `one-${i}`;
  const got = new Promise<void>((r) => { waitingFor = { sessionId, resolve: r }; });
  const t1 = performance.now();
  app.events.emit('session.exited', { sessionId, at: new Date().toISOString(), exitCode: 0, signal: null });
  await got;
  single.push(performance.now() - t1);
}
console.log(`  one at a time (${ONE}): event -> receipt ms p50 ${pct(single, 50).toFixed(1)}  p99 ${pct(single, 99).toFixed(1)}`);
await app.close();
receiver.close();
await rm(stateDir, { recursive: true, force: true });
