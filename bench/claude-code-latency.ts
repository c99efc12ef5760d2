/**
 * The claude-code driver against the real Claude Code CLI and the scripted model server, N (10)
 * sessions. Prints: screen change -> `session.state-changed` latency (from the PTY chunk that made
 * the screen show the new state), create -> idle through Aegis against the CLI alone in a bare
 * node-pty, send -> delivered, and the server's RSS per session. Prints figures; asserts nothing.
 *
 *   npx tsc -p tsconfig.json && node --expose-gc dist/bench/claude-code-latency.js [sessions] [nohooks]
 *
 * The CLI is the tested range's oldest release, or its newest with AEGIS_BENCH_CLAUDE=latest (run
 * both to compare releases).
 *
 * How the first figure is taken: node-pty's `spawn` is wrapped before Aegis loads it, so each
 * output chunk is also written, on arrival, into a shadow headless terminal read with the driver's
 * own screen parser. A state event caused by the screen is timed from the arrival of the first
 * chunk after which the shadow shows that state. The shadow is parsed during the message phase
 * only (it is fed all along: a newer CLI redraws only what changed).
 */
import { createRequire } from 'node:module';
import { rm } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import type * as NodePty from 'node-pty';
import xterm from '@xterm/headless';
import { readScreen } from '../plugins/claude-code/screen/read.js';
import type { SessionState } from '../plugins/sessions/types.js';
import { pct } from './lib/stats.js';

const N = Number(process.argv[2] ?? 10);
/** `nohooks`: the driver reads the screen alone, so every state change is a screen one. */
const HOOKS = process.argv[3] !== 'nohooks';
const now = () => performance.now();

// --- the shadow terminal per PTY, installed before anything imports node-pty -----------------
const require = createRequire(import.meta.url);
const pty = require('node-pty') as typeof NodePty;
/** Per pid: when each state first showed on the shadow screen. */
const shown = new Map<number, Array<{ at: number; state: SessionState | undefined }>>();
/** The shadow parses only while on, so it does not slow the boots being timed. */
let shadowOn = false;
/** Per pid: when node-pty spawned it. */
const spawnedAt = new Map<number, number>();
const spawn = pty.spawn;
(pty as { spawn: typeof spawn }).spawn = (file, args, opts) => {
  const p = spawn(file, args, opts);
  spawnedAt.set(p.pid, now());
  const o = opts as NodePty.IPtyForkOptions;
  const shadow = new xterm.Terminal({ cols: o.cols ?? 120, rows: o.rows ?? 40, allowProposedApi: true });
  const seen: Array<{ at: number; state: SessionState | undefined }> = [];
  shown.set(p.pid, seen);
  const onData = p.onData.bind(p);
  // `onData` is a getter on node-pty's Terminal; the instance gets its own property in front of it.
  Object.defineProperty(p, 'onData', { value: (listener: (data: string) => void) => onData((data) => {
    const at = now();
    // Every chunk goes in (a newer CLI redraws only what changed, so a shadow that missed the boot
    // never holds a whole screen); it is parsed only while on.
    shadow.write(data, () => {
      if (!shadowOn) return;
      const b = shadow.buffer.active;
      const lines: string[] = [];
      for (let y = 0; y < shadow.rows; y++) lines.push(b.getLine(b.baseY + y)?.translateToString(true) ?? '');
      const state = readScreen(lines).state;
      if (state !== seen[seen.length - 1]?.state) seen.push({ at, state });
    });
    listener(data);
  }) });
  return p;
};

const { buildTestApp, bearer } = await import('../test/support/app.js');
const { startModelServer, reply } = await import('../test/support/model-server.js');
const { createSandboxHome } = await import('../test/support/sandbox-home.js');
const { acceptsInput } = await import('../plugins/claude-code/screen/read.js');
const { claudeBuild } = await import('../test/support/claude-cli.js');
const cli = claudeBuild(process.env.AEGIS_BENCH_CLAUDE === 'latest' ? 'latest' : 'oldest');
const { mkdtemp, realpath } = await import('node:fs/promises');
const { tmpdir } = await import('node:os');
const { join } = await import('node:path');

const f = (x: number) => x.toFixed(1).padStart(9);
const row = (name: string, xs: number[]) => `${name.padEnd(46)} ${String(xs.length).padStart(4)} ${f(pct(xs, 50))} ${f(pct(xs, 99))} ${f(Math.max(...xs))}`;

const progress = (msg: string) => process.stderr.write(`${msg}\n`);
// Without hooks a turn is only seen if its spinner is drawn, so the answer comes after a short think.
const model = await startModelServer({ defaultReply: reply.text('ok', { initialDelayMs: HOOKS ? 0 : 300 }) });
const works = await Promise.all(Array.from({ length: N }, async () => realpath(await mkdtemp(join(tmpdir(), 'aegis-bench-cc-')))));
const sandbox = await createSandboxHome({ baseUrl: model.url, workDirs: works });
const stateDir = await mkdtemp(join(tmpdir(), 'aegis-bench-cc-state-'));

// --- through Aegis -----------------------------------------------------------------------------
const app = await buildTestApp({ stateDir, plugins: { sessions: { maxSessions: N + 5, killGraceMs: 2000 }, 'claude-code': { env: sandbox.env, hooks: HOOKS, command: cli.path } } });
await app.listen({ host: '127.0.0.1', port: 0 });
const call = async (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
  (await app.inject({ method, url, headers: bearer(), ...(payload ? { payload } : {}) })).json();

const events: Array<{ pid: number; to: SessionState; at: number; since: number; cause: string }> = [];
const causes = new Map<string, number>();
const pidOf = new Map<string, number>();
const lastEventAt = new Map<string, number>();
const idleWaiters = new Map<string, () => void>();
/** When each session first reported idle (its boot through Aegis ends there). */
const firstIdleAt = new Map<string, number>();
app.events.on('session.state-changed', (p) => {
  const at = now();
  const kind = p.cause.split(':')[0]!;
  causes.set(kind, (causes.get(kind) ?? 0) + 1);
  const pid = pidOf.get(p.sessionId) ?? app.sessions.get(p.sessionId)?.pid;
  const since = lastEventAt.get(p.sessionId) ?? 0;
  lastEventAt.set(p.sessionId, at);
  if (p.to === 'idle' && !firstIdleAt.has(p.sessionId)) firstIdleAt.set(p.sessionId, at);
  if (p.to === 'idle') idleWaiters.get(p.sessionId)?.();
  if (shadowOn && pid !== undefined) events.push({ pid, to: p.to, at, since, cause: kind });
});
const idle = (id: string) => new Promise<void>((resolve) => {
  if (app.sessions.get(id)?.status === 'idle') return resolve();
  idleWaiters.set(id, () => { idleWaiters.delete(id); resolve(); });
});

// V8 hands back start-up memory over a few collections; measure once that has settled.
for (let i = 0; i < 5; i++) { global.gc?.(); await new Promise((r) => setTimeout(r, 200)); }
const rss0 = process.memoryUsage().rss;
const heap0 = process.memoryUsage().heapUsed;
const aegisMs: number[] = [];
const createCallMs: number[] = [];
const beforeSpawnMs: number[] = [];
const afterSpawnMs: number[] = [];
const ids: string[] = [];
for (let i = 0; i < N; i++) {
  const t0 = now();
  const s = await call('POST', '/v1/sessions', { workDir: works[i], reuse: false });
  createCallMs.push(now() - t0);
  pidOf.set(s.id, s.pid);
  if (!s.id) throw new Error(`create failed: ${JSON.stringify(s)}`);
  await idle(s.id);
  const t1 = firstIdleAt.get(s.id)!;
  aegisMs.push(t1 - t0);
  beforeSpawnMs.push(spawnedAt.get(s.pid)! - t0);
  afterSpawnMs.push(t1 - spawnedAt.get(s.pid)!);
  progress(`aegis boot ${i + 1}/${N}: ${(now() - t0).toFixed(0)} ms`);
  ids.push(s.id);
}
for (let i = 0; i < 5; i++) { global.gc?.(); await new Promise((r) => setTimeout(r, 200)); }
const rss1 = process.memoryUsage().rss;
const heap1 = process.memoryUsage().heapUsed;

shadowOn = true;
const sendMs: number[] = [];
const turnMs: number[] = [];
const attempts: number[] = [];
for (const id of ids) {
  for (let k = 0; k < 5; k++) {
    const t0 = now();
    const r = await call('POST', `/v1/sessions/${id}/send`, { text: `bench message ${k}` });
    sendMs.push(now() - t0);
    attempts.push(r.attempts);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => { off(); reject(new Error(`session ${id} not idle after message ${k}`)); }, 60000);
      const off = app.events.on('session.state-changed', (p) => { if (p.sessionId === id && p.to === 'idle') { clearTimeout(timer); off(); resolve(); } });
      if (app.sessions.get(id)?.status === 'idle' && (lastEventAt.get(id) ?? 0) > t0) { clearTimeout(timer); off(); resolve(); }
    });
    turnMs.push(now() - t0);
  }
}
const cliRss = ids.map((id) => {
  try {
    const status = require('node:fs').readFileSync(`/proc/${app.sessions.get(id)!.pid}/status`, 'utf8') as string;
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
  } catch { return NaN; }
});
// Waits for each exit, so the baseline below runs without Aegis's agents still ending.
for (const id of ids) await call('DELETE', `/v1/sessions/${id}?wait=true`);

// --- the CLI alone, after Aegis let go of its sessions: spawn to input box in a bare PTY -------
const bareMs: number[] = [];
const bare: Array<{ p: NodePty.IPty; term: InstanceType<typeof xterm.Terminal> }> = [];
const bin = cli.path;
for (let i = 0; i < N; i++) {
  const term = new xterm.Terminal({ cols: 120, rows: 40, allowProposedApi: true });
  const t0 = now();
  const p = spawn(bin, ['--session-id', crypto.randomUUID(), '--permission-mode', 'default'], { name: 'xterm-256color', cols: 120, rows: 40, cwd: works[i]!, env: sandbox.env });
  await new Promise<void>((resolve) => {
    p.onData((d) => term.write(d, () => {
      const b = term.buffer.active;
      const lines: string[] = [];
      for (let y = 0; y < term.rows; y++) lines.push(b.getLine(b.baseY + y)?.translateToString(true) ?? '');
      if (acceptsInput(readScreen(lines))) resolve();
    }));
  });
  bareMs.push(now() - t0);
  progress(`bare boot ${i + 1}/${N}: ${(now() - t0).toFixed(0)} ms`);
  bare.push({ p, term });
}
// Kept alive until all booted, as the Aegis sessions below are, so both boot among as many CLIs.
for (const { p, term } of bare) {
  const exited = new Promise((r) => p.onExit(r));
  p.kill('SIGTERM');
  await exited;
  term.dispose();
}


// Each event against the moment the shadow screen first showed its state (after the previous
// event): positive = the event followed the screen; negative = a hook reported it before it was drawn.
const eventMs: number[] = [];
const hookLeadMs: number[] = [];
for (const e of events) {
  const hit = shown.get(e.pid)?.find((x) => x.at >= e.since && x.state === e.to);
  if (!hit) continue;
  if (e.cause === 'screen') eventMs.push(e.at - hit.at);
  else if (e.cause === 'hook') hookLeadMs.push(hit.at - e.at);
}

process.stdout.write([
  `claude-code: ${N} sessions of Claude Code ${cli.version} against the scripted model server, hooks ${HOOKS ? 'on' : 'off'}, Node ${process.version}`,
  `${'measure (ms)'.padEnd(46)} ${'n'.padStart(4)} ${'p50'.padStart(9)} ${'p99'.padStart(9)} ${'max'.padStart(9)}`,
  row('screen change -> state-changed (screen causes)', eventMs),
  row('hook-caused events: ahead of the screen by', hookLeadMs),
  row('CLI alone: spawn -> input box (bare node-pty)', bareMs),
  row('Aegis: POST /v1/sessions -> idle event', aegisMs),
  row('Aegis: POST /v1/sessions -> response', createCallMs),
  `  create overhead over the CLI's own boot: p50 ${(pct(aegisMs, 50) - pct(bareMs, 50)).toFixed(1)} ms`,
  row('  of which POST -> spawn (checks, record, files)', beforeSpawnMs),
  row('  of which spawn -> idle', afterSpawnMs),
  row('POST .../send -> {delivered}', sendMs),
  row('POST .../send -> idle after the reply', turnMs),
  `  delivery attempts (Enter presses): ${[...new Set(attempts)].sort().map((a) => `${a}x${attempts.filter((b) => b === a).length}`).join(' ')}`,
  `  state events by cause: ${[...causes].map(([c, n]) => `${c} ${n}`).join(', ')}`,
  `RSS of the server process: ${(rss0 / 1048576).toFixed(1)} -> ${(rss1 / 1048576).toFixed(1)} MiB with ${N} live sessions = ${((rss1 - rss0) / N / 1024).toFixed(0)} KiB per session`,
  `JS heap of the server process: ${(heap0 / 1048576).toFixed(1)} -> ${(heap1 / 1048576).toFixed(1)} MiB = ${((heap1 - heap0) / N / 1024).toFixed(0)} KiB per session`,
  `RSS of one claude process: p50 ${pct(cliRss, 50).toFixed(0)} MiB`,
  '',
].join('\n'));
await app.close();
await model.close();
await sandbox.cleanup();
await rm(stateDir, { recursive: true, force: true });
for (const w of works) await rm(w, { recursive: true, force: true });
