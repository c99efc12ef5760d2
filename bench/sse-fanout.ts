/**
 * State change -> SSE event latency with many subscribers. A real listening server (auth,
 * sessions, sse, a no-process test driver) in this process; two forked client processes hold N
 * (1000) event streams over real HTTP. Each round reports a state change through the real session
 * state machine and stamps the time; the clients stamp when each stream parsed the event. Prints
 * p50/p99/max over every (event, stream) pair and whether any event was lost or reordered.
 * Asserts nothing. Targets: p50 <= 50 ms, p99 <= 250 ms, none lost.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/sse-fanout.js [subscribers] [events] [gapMs]
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { buildApp } from '../kernel/app.js';
import { loadConfig } from '../kernel/config/load.js';
import { catalogue } from '../plugins/index.js';
import { fakeDriverPlugin } from '../plugins/sessions/fake-driver.js';
import '../plugins/sessions/index.js';
import '../plugins/sse/index.js';
import { pct } from './lib/stats.js';

const N = Number(process.argv[2] ?? 1000);
const EVENTS = Number(process.argv[3] ?? 200);
const GAP_MS = Number(process.argv[4] ?? 50);
const TOKEN = 'bench-token-0123456789abcdef0123456';
const nowMs = () => performance.timeOrigin + performance.now();

const stateDir = await mkdtemp(join(tmpdir(), 'aegis-bench-sse-'));
const config = await loadConfig({ env: { AEGIS_HOST: '127.0.0.1', AEGIS_STATE_DIR: stateDir, AEGIS_AUTH_TOKEN: TOKEN, AEGIS_PORT: '0' }, cwd: stateDir, home: stateDir });
config.plugins = { sse: { maxStreams: N + 10, maxStreamsPerAddress: N + 10 } };
const fake = fakeDriverPlugin();
const app = await buildApp(config, {
  catalogue: { auth: catalogue.auth, sessions: catalogue.sessions, sse: catalogue.sse, ...fake.catalogue },
  logger: pino({ level: 'silent' }),
});
await app.listen({ host: '127.0.0.1', port: 0 });
const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
const created = await app.inject({ method: 'POST', url: '/v1/sessions', headers: { authorization: `Bearer ${TOKEN}` }, payload: { workDir: stateDir, agent: 'fake' } });
const sessionId = created.json().id as string;
const ctx = fake.log.contexts.get(sessionId)!;

// Two client processes, so reading 1000 streams is not one core's queue in front of the server's.
const clients = [Math.ceil(N / 2), Math.floor(N / 2)].filter((n) => n > 0)
  .map((n) => fork(join(dirname(fileURLToPath(import.meta.url)), 'sse-fanout-client.js'), [base, TOKEN, String(n)]));
for (const client of clients) {
  const [first] = await once(client, 'message') as [{ type: string }];
  if (first.type !== 'open') throw new Error(`client failed: ${JSON.stringify(first)}`);
}
const t0 = nowMs();
while (app.sse.streams < N && nowMs() - t0 < 30000) await new Promise((r) => setTimeout(r, 20));
process.stdout.write(`${app.sse.streams} streams open; ${EVENTS} state changes, one every ${GAP_MS} ms\n`);

const sentAt = new Map<string, number>();
for (let i = 0; i < EVENTS; i++) {
  const cause = `bench:${i}`;
  sentAt.set(cause, nowMs());
  ctx.report({ state: i % 2 === 0 ? 'working' : 'idle', cause });
  await new Promise((r) => setTimeout(r, GAP_MS));
}
// Let the last events drain, then collect.
await new Promise((r) => setTimeout(r, 1000));
type Log = { causes: string[]; at: number[]; ids: number[] };
const report = { logs: [] as Log[] };
for (const client of clients) {
  client.send({ type: 'report' });
  const [part] = await once(client, 'message') as [{ logs: Log[] }];
  report.logs.push(...part.logs);
}

const latencies: number[] = [];
let lost = 0;
let disordered = 0;
for (const log of report.logs) {
  const got = log.causes.filter((c) => sentAt.has(c));
  lost += EVENTS - new Set(got).size;
  for (let i = 1; i < log.ids.length; i++) if (log.ids[i]! <= log.ids[i - 1]!) disordered++;
  log.causes.forEach((c, i) => { const s = sentAt.get(c); if (s !== undefined) latencies.push(log.at[i]! - s); });
}
latencies.sort((a, b) => a - b);
const f = (x: number) => x.toFixed(2);
process.stdout.write([
  `load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${cpus().length} cores`,
  `subscribers ${report.logs.length}, events ${EVENTS}, deliveries ${latencies.length} of ${report.logs.length * EVENTS}`,
  `state change -> SSE event (ms): p50 ${f(pct(latencies, 50))}  p99 ${f(pct(latencies, 99))}  max ${f(latencies.at(-1) ?? NaN)}`,
  `lost ${lost}, out of order ${disordered}   (targets: p50 <= 50, p99 <= 250, lost 0)`,
].join('\n') + '\n');
for (const client of clients) client.kill();
await app.close();
await rm(stateDir, { recursive: true, force: true });
