/**
 * Request overhead of tracing: the same authenticated route (GET /v1/sessions) on three real
 * server processes started with the tracing preload: tracing off, on at sample rate 1.0, and on
 * at 0.1, exporting to a real OTLP/HTTP receiver on 127.0.0.1. Requests go to each server in
 * turn so machine noise falls on all three alike. Prints p50/p99 per configuration
 * and the difference from "off"; asserts nothing.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/tracing-overhead.js [requests-per-round]
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startOtlpReceiver } from '../test/support/otlp-receiver.js';
import { startServer, type ServerProcess } from '../test/support/server-process.js';
import { DIST } from '../test/support/paths.js';
import { pct } from './lib/stats.js';

const PER_ROUND = Number(process.argv[2] ?? 1000);
const ROUNDS = 3;
const WARMUP = 200;
const TOKEN = 'bench-token-0123456789abcdef0123456';
const PRELOAD = join(DIST, 'plugins', 'tracing', 'preload.js');


const receiver = await startOtlpReceiver();

async function start(name: string, env: Record<string, string>): Promise<{ name: string; server: ServerProcess; ms: number[] }> {
  const cwd = await mkdtemp(join(tmpdir(), 'aegis-bench-tracing-'));
  await writeFile(join(cwd, 'aegis.config.json'), JSON.stringify({ version: 1, plugins: { tracing: { batchDelayMs: 1000 } } }));
  const server = await startServer({
    cwd, nodeArgs: ['--import', PRELOAD], timeoutMs: 60000,
    env: { AEGIS_AUTH_TOKEN: TOKEN, AEGIS_LOG_LEVEL: 'info', AEGIS_OTEL_OTLP_ENDPOINT: receiver.url, ...env },
  });
  // The harness keeps every log line; a bench does not need them.
  server.proc.stdout!.on('data', () => { server.logs.length = 0; });
  return { name, server, ms: [] };
}

const configs = await Promise.all([
  start('tracing off', { AEGIS_OTEL_ENABLED: 'false' }),
  start('tracing on, sample rate 1.0', { AEGIS_OTEL_ENABLED: 'true', AEGIS_OTEL_SAMPLE_RATE: '1.0' }),
  start('tracing on, sample rate 0.1', { AEGIS_OTEL_ENABLED: 'true', AEGIS_OTEL_SAMPLE_RATE: '0.1' }),
]);

async function once(server: ServerProcess): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(`${server.url}/v1/sessions?limit=1`, { headers: { authorization: `Bearer ${TOKEN}` } });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`bench request answered ${res.status}`);
  return performance.now() - t0;
}

for (const c of configs) for (let i = 0; i < WARMUP; i++) await once(c.server);
// One request to each server in turn, so a burst of load elsewhere on the machine falls on all three.
for (let i = 0; i < ROUNDS * PER_ROUND; i++) for (const c of configs) c.ms.push(await once(c.server));
for (const c of configs) await c.server.stop();
await receiver.close();

const off = configs[0]!;
const f = (x: number) => x.toFixed(3).padStart(8);
const d = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(3)}`.padStart(8);
process.stdout.write(`GET /v1/sessions?limit=1, ${ROUNDS * PER_ROUND} requests per configuration, sequential, one server after another, keep-alive, log level info (two access-log lines per request); ms\n`);
process.stdout.write(`${'configuration'.padEnd(30)} ${'n'.padStart(6)} ${'p50'.padStart(8)} ${'p99'.padStart(8)} ${'Δp50'.padStart(8)} ${'Δp99'.padStart(8)}\n`);
for (const c of configs) {
  process.stdout.write(`${c.name.padEnd(30)} ${String(c.ms.length).padStart(6)} ${f(pct(c.ms, 50))} ${f(pct(c.ms, 99))} ${d(pct(c.ms, 50) - pct(off.ms, 50))} ${d(pct(c.ms, 99) - pct(off.ms, 99))}\n`);
}
const exported = receiver.spans.filter((s) => s.name === 'GET /v1/sessions').length;
process.stdout.write(`server spans received by the OTLP receiver: ${exported} (rate 1.0 should give ~${(WARMUP + ROUNDS * PER_ROUND)}, rate 0.1 ~${Math.round((WARMUP + ROUNDS * PER_ROUND) / 10)})\n`);
