/**
 * Create -> idle through Aegis against the Claude Code CLI alone, in the same run, alternating, with
 * 0 and with 50 live `command` sessions in the background. The real CLI talks to the scripted model
 * server from a sandbox HOME (no first-run dialogs); Aegis is a real listening server with the
 * default plugin set (auth, audit, tenancy, SSE, ...), driven over HTTP.
 *
 * Each round runs, one after the other, never overlapping:
 *   bare:      the CLI spawned directly in a node-pty with the env and arguments Aegis gave its last
 *              one (a fresh --session-id, no --settings), its output parsed by @xterm/headless, timed
 *              from spawn to the first screen the claude-code driver reads as an idle input box;
 *   +settings: the same with Aegis's --settings file (hooks, the SessionStart forwarder) pointed at a
 *              receiver that answers `{}` at once: what the hook set-up costs the CLI itself;
 *   aegis:     POST /v1/sessions -> the session's `session.state-changed` to idle on the bus.
 * Prints p50/p99 of each and the overhead (aegis p50 - bare p50), Aegis's own parts (POST -> fork,
 * and the output chunk that drew the box -> the idle event), and the paired per-round difference
 * (the CLI's boot swings by hundreds of ms with the machine's load); figures() the headline ones.
 * Asserts nothing.
 *
 *   npm run build:server && node --expose-gc dist/bench/create-idle.js [samples=12] [live=50]
 */
import { createRequire } from 'node:module';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type * as NodePty from 'node-pty';
import xterm from '@xterm/headless';
import pino from 'pino';
import { readScreen } from '../plugins/claude-code/screen/read.js';
import { pct } from './lib/stats.js';
import { figure } from './lib/report.js';

const SAMPLES = Number(process.argv[2] ?? 12);
const LIVE = Number(process.argv[3] ?? 50);
const TOKEN = 'bench-token-0123456789abcdef0123456';
const now = () => performance.now();
const progress = (msg: string) => process.stderr.write(`${msg}\n`);

// The bare CLI runs in a node-pty of this process, as a user would run it.
const require = createRequire(import.meta.url);
const { spawn } = require('node-pty') as typeof NodePty;

// Aegis's spawn requests to its spawner process are watched, to learn what it ran, when it asked
// for the fork, and when each output chunk came back.
const { SpawnerHost } = await import('../plugins/sessions/spawner-host.js');
let lastClaude: { file: string; args: string[]; env: Record<string, string>; cwd: string } | undefined;
const spawnedAt = new Map<number, number>();
/**
 * Per pid: when its latest output chunk arrived. At the idle event that is the chunk that drew
 * the input box (or one after it), so event - chunk is how long Aegis took to see and report it.
 * Only a timestamp per chunk: a second terminal parsing the output here would slow Aegis itself.
 */
const chunkStamps = new Map<number, { at: number }>();
const hostSpawn = SpawnerHost.prototype.spawn;
SpawnerHost.prototype.spawn = async function (this: InstanceType<typeof SpawnerHost>, req, handlers) {
  const t = now();
  const stamp = { at: 0 };
  const p = await hostSpawn.call(this, req, {
    onData: (data) => { stamp.at = now(); handlers.onData(data); },
    onExit: (code, signal) => handlers.onExit(code, signal),
  });
  spawnedAt.set(p.pid, t);
  chunkStamps.set(p.pid, stamp);
  if (req.args.includes('--permission-mode')) lastClaude = { file: req.file, args: [...req.args], env: { ...req.env }, cwd: req.cwd };
  return p;
};

const { buildApp } = await import('../kernel/app.js');
const { loadConfig } = await import('../kernel/config/load.js');
const { catalogue } = await import('../plugins/index.js');
const { startModelServer, reply } = await import('../test/support/model-server.js');
const { createSandboxHome } = await import('../test/support/sandbox-home.js');
const { claudeBuild } = await import('../test/support/claude-cli.js');
const cli = claudeBuild(process.env.AEGIS_BENCH_CLAUDE === 'latest' ? 'latest' : 'oldest');

const model = await startModelServer({ defaultReply: reply.text('ok') });
const work = await realpath(await mkdtemp(join(tmpdir(), 'aegis-bench-ci-work-')));
const sandbox = await createSandboxHome({ baseUrl: model.url, workDirs: [work] });
const stateDir = await mkdtemp(join(tmpdir(), 'aegis-bench-ci-state-'));
const scratch = await mkdtemp(join(tmpdir(), 'aegis-bench-ci-files-'));

// Stands in for Aegis's hook receiver in the +settings runs: answers every hook at once.
const nullHooks = createServer((req, res) => { req.resume(); req.on('end', () => { res.setHeader('content-type', 'application/json'); res.end('{}'); }); });
await new Promise<void>((r) => nullHooks.listen(0, '127.0.0.1', r));
const nullBase = `http://127.0.0.1:${(nullHooks.address() as { port: number }).port}`;

const config = await loadConfig({ env: { AEGIS_HOST: '127.0.0.1', AEGIS_STATE_DIR: stateDir, AEGIS_AUTH_TOKEN: TOKEN, AEGIS_PORT: '0' }, cwd: work, home: work });
config.plugins = {
  sessions: { maxSessions: LIVE + 20, killGraceMs: 2000, ...(process.env.BENCH_RENDER_MS ? { renderIntervalMs: Number(process.env.BENCH_RENDER_MS) } : {}) },
  'claude-code': { env: sandbox.env, command: cli.path },
  command: { command: 'bash', args: ['-c', 'read'] },
};
const app = await buildApp(config, { catalogue, logger: pino({ level: 'silent' }) });
await app.listen({ host: '127.0.0.1', port: 0 });
const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
const auth = { authorization: `Bearer ${TOKEN}` };

const idleAt = new Map<string, number>();
const idleWaiters = new Map<string, () => void>();
/**
 * CPU time a process has used, in ms (utime + stime of /proc/<pid>/stat, all its threads; the
 * kernel reports them in USER_HZ = 100 ticks a second). Unlike wall time it does not swing with the
 * machine's load, so the CLI's own work can be compared across variants.
 */
function cpuOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return NaN;
  }
}
/** This process's CPU time in ms (the server and the bench's own terminal, whichever runs). */
const selfCpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
/** Per session: the CLI's CPU time when the idle event came. */
const cliCpuAtIdle = new Map<string, number>();

/** Per session: its first idle event - the arrival of the output chunk just before it. */
const chunkToIdle = new Map<string, number>();
app.events.on('session.state-changed', (p) => {
  if (p.to !== 'idle' || idleAt.has(p.sessionId)) return;
  const at = now();
  idleAt.set(p.sessionId, at);
  const chunk = chunkStamps.get(app.sessions.get(p.sessionId)?.pid ?? -1)?.at;
  if (chunk) chunkToIdle.set(p.sessionId, at - chunk);
  cliCpuAtIdle.set(p.sessionId, cpuOf(app.sessions.get(p.sessionId)?.pid ?? -1));
  idleWaiters.get(p.sessionId)?.();
});
const whenIdle = (id: string, ms = 60000) => new Promise<void>((resolve, reject) => {
  if (idleAt.has(id)) return resolve();
  const timer = setTimeout(() => reject(new Error(`session ${id} not idle after ${ms} ms`)), ms);
  idleWaiters.set(id, () => { clearTimeout(timer); idleWaiters.delete(id); resolve(); });
});
const exited = (id: string) => new Promise<void>((resolve) => {
  const off = app.events.on('session.exited', (p) => { if (p.sessionId === id) { off(); resolve(); } });
  if (app.sessions.get(id)?.status === 'exited') { off(); resolve(); }
});

async function post(body: unknown): Promise<{ id: string; pid: number }> {
  const res = await fetch(`${base}/v1/sessions`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = await res.json() as { id: string; pid: number };
  if (res.status >= 300) throw new Error(`create: ${res.status} ${JSON.stringify(json)}`);
  return json;
}
async function remove(id: string): Promise<void> {
  const gone = exited(id);
  await fetch(`${base}/v1/sessions/${id}`, { method: 'DELETE', headers: auth });
  await gone;
}

interface Cpu { cli: number[]; self: number[] }
interface Row {
  bare: number[]; settings: number[]; aegis: number[]; response: number[]; beforeSpawn: number[]; spawnToIdle: number[]; boxToEvent: number[];
  /** CPU ms to the box: the CLI's own, and this process's (the server's work, or the bench terminal's). */
  cpu: { bare: Cpu; settings: Cpu; aegis: Cpu };
}
const newRow = (): Row => ({
  bare: [], settings: [], aegis: [], response: [], beforeSpawn: [], spawnToIdle: [], boxToEvent: [],
  cpu: { bare: { cli: [], self: [] }, settings: { cli: [], self: [] }, aegis: { cli: [], self: [] } },
});
const rows = new Map<number, Row>();

/** One Aegis create -> idle; the session is deleted (and its process gone) before this returns. */
async function aegisOnce(r: Row): Promise<void> {
  const c0 = selfCpu();
  const t0 = now();
  const s = await post({ workDir: work, reuse: false });
  r.response.push(now() - t0);
  await whenIdle(s.id);
  const t1 = idleAt.get(s.id)!;
  r.aegis.push(t1 - t0);
  r.cpu.aegis.self.push(selfCpu() - c0);
  r.cpu.aegis.cli.push(cliCpuAtIdle.get(s.id)!);
  const sp = spawnedAt.get(s.pid);
  if (sp !== undefined) { r.beforeSpawn.push(sp - t0); r.spawnToIdle.push(t1 - sp); }
  const seen = chunkToIdle.get(s.id);
  if (seen !== undefined) r.boxToEvent.push(seen);
  await remove(s.id);
}

/** The CLI alone: spawn -> the first screen the driver reads as an idle input box. */
async function bareOnce(into: number[], settingsFile?: string, cpu?: Cpu): Promise<void> {
  const plan = lastClaude!;
  const args: string[] = [];
  for (let i = 0; i < plan.args.length; i++) {
    const a = plan.args[i]!;
    if (a === '--settings') { i++; if (settingsFile) args.push('--settings', settingsFile); continue; }
    if (a === '--session-id' || a === '--resume') { i++; args.push('--session-id', randomUUID()); continue; }
    args.push(a);
  }
  const term = new xterm.Terminal({ cols: 120, rows: 40, allowProposedApi: true });
  const c0 = selfCpu();
  const t0 = now();
  const p = spawn(plan.file, args, { name: 'xterm-256color', cols: 120, rows: 40, cwd: plan.cwd, env: plan.env });
  const gone = new Promise<void>((resolve) => p.onExit(() => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the bare CLI showed no input box in 60 s')), 60000);
    let done = false;
    p.onData((d) => term.write(d, () => {
      if (done) return;
      const b = term.buffer.active;
      const lines: string[] = [];
      for (let y = 0; y < term.rows; y++) lines.push(b.getLine(b.baseY + y)?.translateToString(true) ?? '');
      const read = readScreen(lines);
      // The driver's test: a box, a state read from it, and no dialog.
      if (read.box && read.state === 'idle' && !read.dialog) {
        done = true;
        clearTimeout(timer);
        into.push(now() - t0);
        cpu?.cli.push(cpuOf(p.pid));
        cpu?.self.push(selfCpu() - c0);
        resolve();
      }
    }));
  });
  p.kill('SIGTERM');
  await gone;
  term.dispose();
}

/** Aegis's settings file with its hooks pointed at the null receiver (and its secret file beside it). */
async function nullSettings(): Promise<string | undefined> {
  const plan = lastClaude!;
  const i = plan.args.indexOf('--settings');
  if (i < 0) return undefined;
  const file = plan.args[i + 1]!;
  const text = (await readFile(file, 'utf8')).replace(/https?:\/\/127\.0\.0\.1:\d+\/v1\/hooks/g, `${nullBase}/v1/hooks`);
  const secretFile = file.replace(/claude-settings\.json$/, 'claude-hook-secret');
  const ownSecret = join(scratch, 'claude-hook-secret');
  await writeFile(ownSecret, await readFile(secretFile, 'utf8').catch(() => 'x'.repeat(43)), { mode: 0o600 });
  const out = join(scratch, 'claude-settings.json');
  await writeFile(out, text.split(secretFile).join(ownSecret), { mode: 0o600 });
  return out;
}

async function phase(live: number): Promise<void> {
  const r = newRow();
  rows.set(live, r);
  // One unmeasured round warms the CLI's caches and Aegis's code paths.
  await aegisOnce(newRow());
  const settingsFile = await nullSettings();
  await bareOnce([]);
  for (let i = 0; i < SAMPLES; i++) {
    // The order rotates so no variant always runs right after another.
    const order = [() => bareOnce(r.bare, undefined, r.cpu.bare), () => bareOnce(r.settings, settingsFile, r.cpu.settings), () => aegisOnce(r)];
    for (let k = 0; k < order.length; k++) await order[(i + k) % order.length]!();
    progress(`${live} live: round ${i + 1}/${SAMPLES}: bare ${r.bare.at(-1)!.toFixed(0)} ms, +settings ${r.settings.at(-1)?.toFixed(0)} ms, aegis ${r.aegis.at(-1)!.toFixed(0)} ms`);
  }
}

await phase(0);
const background: string[] = [];
for (let i = 0; i < LIVE; i++) background.push((await post({ workDir: work, agent: 'command', reuse: false })).id);
await phase(LIVE);
for (const id of background) await remove(id);

const f = (x: number) => x.toFixed(1).padStart(8);
/** Per-round differences: the CLI's own boot time varies a lot with the load, rounds share it. */
const paired = (a: number[], b: number[]) => a.slice(0, Math.min(a.length, b.length)).map((x, i) => x - b[i]!);
const line = (name: string, xs: number[]) => `${name.padEnd(50)} ${String(xs.length).padStart(3)} ${f(pct(xs, 50))} ${f(pct(xs, 99))}`;
const out = [`create-idle: Claude Code ${cli.version} against the scripted model server, Node ${process.version}, ${SAMPLES} samples each`];
for (const [live, r] of rows) {
  out.push(
    `--- ${live} live command sessions ---`,
    `${'measure (ms)'.padEnd(50)} ${'n'.padStart(3)} ${'p50'.padStart(8)} ${'p99'.padStart(8)}`,
    line('CLI alone: spawn -> input box', r.bare),
    line('CLI with Aegis\'s hook settings: spawn -> input box', r.settings),
    line('Aegis: POST /v1/sessions -> idle event', r.aegis),
    line('Aegis: POST /v1/sessions -> response', r.response),
    line('  of which POST -> spawn request', r.beforeSpawn),
    line('  of which spawn -> idle event', r.spawnToIdle),
    line('  of which last output chunk -> idle event', r.boxToEvent),
    `  overhead p50: ${(pct(r.aegis, 50) - pct(r.bare, 50)).toFixed(1)} ms over the CLI alone, ${(pct(r.aegis, 50) - pct(r.settings, 50)).toFixed(1)} ms over the CLI with the same settings`,
    `  CPU ms to the box, p50 (load-independent): the CLI alone ${pct(r.cpu.bare.cli, 50).toFixed(0)}, with the settings ${pct(r.cpu.settings.cli, 50).toFixed(0)}, in Aegis ${pct(r.cpu.aegis.cli, 50).toFixed(0)}; `
      + `this process meanwhile: bench terminal ${pct(r.cpu.bare.self, 50).toFixed(0)}, Aegis server ${pct(r.cpu.aegis.self, 50).toFixed(0)}`,
    `  paired (each round's aegis - bare, same round): p50 ${pct(paired(r.aegis, r.bare), 50).toFixed(1)} ms; (aegis - +settings): p50 ${pct(paired(r.aegis, r.settings), 50).toFixed(1)} ms`,
  );
  const note = `bare p50 ${pct(r.bare, 50).toFixed(0)} ms, aegis p50 ${pct(r.aegis, 50).toFixed(0)} ms`;
  figure({ name: `create -> idle, CLI alone, ${live} live, p50`, value: pct(r.bare, 50), unit: 'ms' });
  figure({ name: `create -> idle, Aegis, ${live} live, p50`, value: pct(r.aegis, 50), unit: 'ms' });
  figure({ name: `create -> idle overhead, ${live} live, p50`, value: pct(r.aegis, 50) - pct(r.bare, 50), unit: 'ms', target: { op: '<=', limit: 150 }, note });
  figure({ name: `create -> idle overhead, ${live} live, paired p50`, value: pct(paired(r.aegis, r.bare), 50), unit: 'ms', note: 'median of per-round differences' });
  figure({ name: `create: server CPU per create -> idle, ${live} live, p50`, value: pct(r.cpu.aegis.self, 50), unit: 'ms', note: `the bench's own terminal takes ${pct(r.cpu.bare.self, 50).toFixed(0)} ms for the same output` });
  figure({ name: `create: POST -> spawn request, ${live} live, p50`, value: pct(r.beforeSpawn, 50), unit: 'ms' });
  figure({ name: `create: output drawing the box -> idle event, ${live} live, p50`, value: pct(r.boxToEvent, 50), unit: 'ms' });
}
process.stdout.write(`${out.join('\n')}\n`);

await app.close();
await model.close();
nullHooks.close();
await sandbox.cleanup();
for (const d of [stateDir, work, scratch]) await rm(d, { recursive: true, force: true });
