/**
 * Sessions under load, with the generic command driver: N (200) sessions created at once on a
 * real listening server with the default plugin set (auth, audit, tenancy, SSE, ...). A forked client process drives the HTTP API; this process hosts the server
 * and watches its event bus. Prints API latency (create, GET one session, send), the latency from
 * a program's output to its `session.state-changed` event, RSS per session, the event loop's longest
 * stall (perf_hooks.monitorEventLoopDelay) while the sessions are created, and checks that
 * deleting every session leaves no process behind. Prints figures; asserts nothing.
 *
 *   npx tsc -p tsconfig.json && node --expose-gc dist/bench/sessions-command.js [sessions]
 */
import { fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import pino from 'pino';
import { buildApp } from '../kernel/app.js';
import { loadConfig } from '../kernel/config/load.js';
import { catalogue } from '../plugins/index.js';
import type { ClientResult } from './sessions-command-client.js';
import '../plugins/sessions/index.js';
import { pct } from './lib/stats.js';
import { type Figure, figure } from './lib/report.js';

const N = Number(process.argv[2] ?? 200);
const SEQ = 20;
const ROUNDS = 3;
const TOKEN = 'bench-token-0123456789abcdef0123456';
// Answers each line with a wall-clock marker in microseconds ($EPOCHREALTIME needs no fork). The
// terminal's echo is off, so the marker is the only output a line causes.
const PROGRAM = ['-c', 'stty -echo; echo ready; while IFS= read -r l; do echo "T:$EPOCHREALTIME"; done'];

const nowMs = () => performance.timeOrigin + performance.now();
const f = (x: number) => x.toFixed(2).padStart(9);
const row = (name: string, xs: number[]) => `${name.padEnd(40)} ${String(xs.length).padStart(6)} ${f(pct(xs, 50))} ${f(pct(xs, 99))} ${f(Math.max(...xs))}`;
const gone = (pid: number) => { try { process.kill(pid, 0); return false; } catch (err) { return (err as NodeJS.ErrnoException).code === 'ESRCH'; } };

const stateDir = await mkdtemp(join(tmpdir(), 'aegis-bench-state-'));
const work = await mkdtemp(join(tmpdir(), 'aegis-bench-work-'));
const config = await loadConfig({ env: { AEGIS_HOST: '127.0.0.1', AEGIS_STATE_DIR: stateDir, AEGIS_AUTH_TOKEN: TOKEN, AEGIS_PORT: '0' }, cwd: work, home: work });
config.plugins = {
  sessions: { maxSessions: N + 10, killGraceMs: 2000 },
  command: { command: 'bash', args: PROGRAM, quietMs: 200 },
};
const app = await buildApp(config, { catalogue, logger: pino({ level: 'silent' }) });
// Event-loop stalls from the first create until every session is idle: a stall that long delays
// every other request and every event.
const lag = monitorEventLoopDelay({ resolution: 5 });
await app.listen({ host: '127.0.0.1', port: 0 });
const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;

// What the client waits for between phases, answered from the bus.
const idle = new Set<string>();
let turns = 0;
let consumed = 0;
let waiting: { done: () => boolean; after?: () => void } | undefined;
const eventMs: { seq: number[]; conc: number[] } = { seq: [], conc: [] };
const lagMs = () => ({ max: lag.max / 1e6, p99: lag.percentile(99) / 1e6 });
const lastMarker = new Map<string, number>();
let phase: 'setup' | 'seq' | 'conc' = 'setup';
const settle = () => {
  if (!waiting?.done()) return;
  const after = waiting.after;
  waiting = undefined;
  after?.();
  client.send({ type: 'idle' });
};
app.events.on('session.state-changed', (p) => {
  if (p.to === 'working' && p.from === 'idle' && phase !== 'setup') {
    const arrived = nowMs();
    const markers = app.sessions.pane(p.sessionId).lines.filter((l) => l.startsWith('T:'));
    const marker = Number(markers[markers.length - 1]?.slice(2)) * 1000;
    // Only a marker not seen before was printed by the output that caused this change.
    if (marker && marker !== lastMarker.get(p.sessionId)) eventMs[phase].push(arrived - marker);
    lastMarker.set(p.sessionId, marker);
  }
  if (p.to === 'idle') idle.add(p.sessionId); else idle.delete(p.sessionId);
  if (p.from === 'working' && p.to === 'idle') turns++;
  settle();
});

const client = fork(join(dirname(fileURLToPath(import.meta.url)), 'sessions-command-client.js'), [], { env: { ...process.env, BENCH_WORK: work } });
global.gc?.();
const rss0 = process.memoryUsage().rss;
let rss1 = rss0;
// Main-thread busy time from the first create until every session is idle, per session.
const elu0 = performance.eventLoopUtilization();
let createBusyMs = 0;
const result = await new Promise<ClientResult>((resolve, reject) => {
  client.on('message', (msg: { type: string; n?: number; result?: ClientResult; message?: string }) => {
    if (msg.type === 'result') resolve(msg.result!);
    else if (msg.type === 'error') reject(new Error(msg.message));
    else if (msg.type === 'wait-idle') {
      waiting = {
        done: () => idle.size >= msg.n!,
        after: () => {
          lag.disable();
          createBusyMs = performance.eventLoopUtilization(elu0).active;
          global.gc?.();
          rss1 = process.memoryUsage().rss;
          consumed = turns;
          phase = 'seq';
        },
      };
      settle();
    } else if (msg.type === 'wait-turns') {
      const target = consumed + msg.n!;
      consumed = target;
      waiting = { done: () => turns >= target };
      settle();
    } else if (msg.type === 'phase-conc') {
      phase = 'conc';
      client.send({ type: 'idle' });
    }
  });
  client.on('exit', (code) => { if (code) reject(new Error(`client exited ${code}`)); });
  // Enabled only now: the boot (route schema compilation) and the bench's own fork of its client
  // are not part of creating sessions.
  lag.enable();
  client.send({ type: 'start', base, token: TOKEN, n: N, seq: SEQ, rounds: ROUNDS });
});

const leftLive = app.sessions.list({ limit: 1000 }).sessions.filter((s) => s.status !== 'exited').length;
const leftProcs = result.pids.filter((pid) => !gone(pid)).length;
process.stdout.write([
  `sessions-command: ${N} command sessions (bash read loop, quietMs 200), client in its own process, Node ${process.version}`,
  `${'measure (ms)'.padEnd(40)} ${'n'.padStart(6)} ${'p50'.padStart(9)} ${'p99'.padStart(9)} ${'max'.padStart(9)}`,
  row(`POST /v1/sessions, ${N} at once`, result.createConcMs),
  row(`GET /v1/sessions/:id, 32 at once`, result.getMs),
  row('POST .../send, one at a time', result.sendSeqMs),
  row(`POST .../send, ${N} at once`, result.sendConcMs),
  row('output -> state-changed, one at a time', eventMs.seq),
  row(`output -> state-changed, ${N} at once`, eventMs.conc),
  row(`DELETE /v1/sessions/:id, ${N} at once`, result.deleteMs),
  `all ${N} exited (process groups gone) ${result.deleteAllExitedMs.toFixed(0)} ms after the first DELETE`,
  `RSS of the server process: ${(rss0 / 1048576).toFixed(1)} -> ${(rss1 / 1048576).toFixed(1)} MiB with ${N} live sessions = ${((rss1 - rss0) / N / 1024).toFixed(0)} KiB per session`,
  `event-loop delay while creating: p99 ${lagMs().p99.toFixed(1)} ms, max ${lagMs().max.toFixed(1)} ms; main thread busy ${(createBusyMs / N).toFixed(2)} ms per create`,
  `left after deleting all: ${leftLive} live sessions, ${leftProcs} processes`,
  '',
].join('\n'));
const ms = (name: string, value: number, target?: Figure['target'], note?: string) =>
  figure({ name, value, unit: 'ms', ...(target ? { target } : {}), ...(note ? { note } : {}) });
ms(`${N} creates at once, p50`, pct(result.createConcMs, 50), { op: '<=', limit: 3000 });
ms(`${N} creates at once, p99`, pct(result.createConcMs, 99), { op: '<=', limit: 6000 });
ms('event-loop delay while creating, max', lagMs().max, { op: '<=', limit: 50 });
ms('main-thread busy per create', createBusyMs / N, undefined, 'create through first idle, all work on the loop');
ms(`GET /v1/sessions/:id with ${N} live, p99`, pct(result.getMs, 99), { op: '<', limit: 50 }, '32 requests in flight');
ms(`send with ${N} live, p99`, pct(result.sendConcMs, 99), { op: '<', limit: 100 }, `${N} at once`);
ms(`output -> event with ${N} live, p99`, pct(eventMs.conc, 99), { op: '<', limit: 250 }, `${N} at once`);
ms(`DELETE, ${N} at once, p99`, pct(result.deleteMs, 99));
figure({ name: `server RSS per live session`, value: (rss1 - rss0) / N / 1024, unit: 'KiB' });
await app.close();
await rm(stateDir, { recursive: true, force: true });
await rm(work, { recursive: true, force: true });
