/**
 * DELETE /v1/sessions/:id on a real listening server with the default plugin set, command sessions
 * only. Measures the answer (202, session `ending`) one at a time and 10 at once, for a program that
 * exits on SIGTERM and for one that ignores it (its end comes only with the SIGKILL after
 * killGraceMs); then the time from DELETE to `session.exited` on the bus, and `?wait=true` (the
 * answer once the group is gone) for comparison. Checks that no process is left. Prints figures;
 * asserts nothing.
 *
 *   npx tsc -p tsconfig.json && node --expose-gc dist/bench/delete.js [singles]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { buildApp } from '../kernel/app.js';
import { loadConfig } from '../kernel/config/load.js';
import { catalogue } from '../plugins/index.js';
import '../plugins/sessions/index.js';
import { pct } from './lib/stats.js';
import { figure } from './lib/report.js';

const SINGLES = Number(process.argv[2] ?? 30);
const AT_ONCE = 10;
const ROUNDS = 3;
const GRACE_MS = 1000;
const TOKEN = 'bench-token-0123456789abcdef0123456';
/** Exits on SIGTERM (bash's default while it waits in `read`). */
const POLITE = ['-c', 'echo ready; while IFS= read -r l; do echo "got:$l"; done'];
/** Ignores SIGTERM: only the SIGKILL after the grace ends it. */
const STUBBORN = { command: 'bash', args: ['-c', "trap '' TERM; echo ready; while true; do sleep 0.2; done"] };

const stateDir = await mkdtemp(join(tmpdir(), 'aegis-bench-state-'));
const work = await mkdtemp(join(tmpdir(), 'aegis-bench-work-'));
const config = await loadConfig({ env: { AEGIS_HOST: '127.0.0.1', AEGIS_STATE_DIR: stateDir, AEGIS_AUTH_TOKEN: TOKEN, AEGIS_PORT: '0' }, cwd: work, home: work });
config.plugins = {
  sessions: { maxSessions: 100, killGraceMs: GRACE_MS },
  command: { command: 'bash', args: POLITE, quietMs: 100, allowedCommands: ['bash'] },
};
const app = await buildApp(config, { catalogue, logger: pino({ level: 'silent' }) });
await app.listen({ host: '127.0.0.1', port: 0 });
const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
const auth = { authorization: `Bearer ${TOKEN}` };

const gone = (pid: number) => { try { process.kill(pid, 0); return false; } catch (err) { return (err as NodeJS.ErrnoException).code === 'ESRCH'; } };
const idleOnce = (id: string) => app.sessions.get(id)?.status === 'idle' ? Promise.resolve()
  : app.events.once('session.state-changed', (p) => p.sessionId === id && p.to === 'idle').then(() => undefined);
const exitedAt = (id: string) => app.events.once('session.exited', (p) => p.sessionId === id).then(() => performance.now());

const pids: number[] = [];
async function create(stubborn: boolean): Promise<string> {
  const body = { workDir: work, agent: 'command', reuse: false, ...(stubborn ? { agentOptions: STUBBORN } : {}) };
  const res = await fetch(`${base}/v1/sessions`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = await res.json() as { id: string; pid: number };
  if (res.status !== 201) throw new Error(`create: ${res.status} ${JSON.stringify(json)}`);
  pids.push(json.pid);
  await idleOnce(json.id);
  return json.id;
}

/** One DELETE: how long its answer took, what it showed, and how long until `session.exited`. */
async function del(id: string, wait = false): Promise<{ answerMs: number; exitedMs: Promise<number>; status: number; shown: string }> {
  const exited = exitedAt(id);
  const t0 = performance.now();
  const res = await fetch(`${base}/v1/sessions/${id}${wait ? '?wait=true' : ''}`, { method: 'DELETE', headers: auth });
  const answerMs = performance.now() - t0;
  const json = await res.json() as { status: string };
  return { answerMs, exitedMs: exited.then((at) => at - t0), status: res.status, shown: json.status };
}

interface Series { answer: number[]; exited: number[]; shown: Map<string, number> }
const series = (): Series => ({ answer: [], exited: [], shown: new Map() });
async function note(s: Series, d: Awaited<ReturnType<typeof del>>): Promise<void> {
  s.answer.push(d.answerMs);
  s.exited.push(await d.exitedMs);
  const key = `${d.status} ${d.shown}`;
  s.shown.set(key, (s.shown.get(key) ?? 0) + 1);
}

// Warm up the routes and the first fork.
await note(series(), await del(await create(false)));

const single = series();
for (let i = 0; i < SINGLES; i++) await note(single, await del(await create(false)));

const burst = series();
for (let round = 0; round < ROUNDS; round++) {
  const ids = await Promise.all(Array.from({ length: AT_ONCE }, () => create(false)));
  await Promise.all((await Promise.all(ids.map((id) => del(id)))).map((d) => note(burst, d)));
}

const stubborn = series();
for (let i = 0; i < Math.min(SINGLES, 10); i++) await note(stubborn, await del(await create(true)));

const waited = series();
for (let i = 0; i < Math.min(SINGLES, 10); i++) await note(waited, await del(await create(false), true));

const left = pids.filter((pid) => !gone(pid)).length;
const leftLive = app.sessions.list({ limit: 500 }).sessions.filter((s) => s.status !== 'exited').length;

const f = (x: number) => x.toFixed(2).padStart(9);
const row = (name: string, xs: number[]) => `${name.padEnd(46)} ${String(xs.length).padStart(4)} ${f(pct(xs, 50))} ${f(pct(xs, 99))} ${f(Math.max(...xs))}`;
const shown = (s: Series) => [...s.shown].map(([k, n]) => `${n}x ${k}`).join(', ');
process.stdout.write([
  `delete: command sessions on a listening server, killGraceMs ${GRACE_MS}, Node ${process.version}`,
  `${'measure (ms)'.padEnd(46)} ${'n'.padStart(4)} ${'p50'.padStart(9)} ${'p99'.padStart(9)} ${'max'.padStart(9)}`,
  row('DELETE answer, one at a time', single.answer),
  row('  DELETE -> session.exited', single.exited),
  row(`DELETE answer, ${AT_ONCE} at once`, burst.answer),
  row('  DELETE -> session.exited', burst.exited),
  row('DELETE answer, SIGTERM ignored, one at a time', stubborn.answer),
  row('  DELETE -> session.exited (SIGKILL after grace)', stubborn.exited),
  row('DELETE ?wait=true answer, one at a time', waited.answer),
  `answers: single ${shown(single)}; ${AT_ONCE} at once ${shown(burst)}; ignoring SIGTERM ${shown(stubborn)}; wait=true ${shown(waited)}`,
  `left after deleting all: ${leftLive} sessions not exited, ${left} processes`,
  '',
].join('\n'));

const ms = (name: string, value: number, limit?: number, note?: string) =>
  figure({ name, value, unit: 'ms', ...(limit !== undefined ? { target: { op: '<=', limit } } : {}), ...(note ? { note } : {}) });
ms('DELETE answer, single, p50', pct(single.answer, 50), 50, `n=${single.answer.length}`);
ms('DELETE answer, single, p99', pct(single.answer, 99), 50, `n=${single.answer.length}`);
ms(`DELETE answer, ${AT_ONCE} at once, p50`, pct(burst.answer, 50), 50, `${ROUNDS} rounds`);
ms(`DELETE answer, ${AT_ONCE} at once, p99`, pct(burst.answer, 99), 50, `${ROUNDS} rounds`);
ms('DELETE answer, SIGTERM ignored, p99', pct(stubborn.answer, 99), 50, `exited after ~${GRACE_MS} ms grace`);
ms('DELETE -> exited, single, p50', pct(single.exited, 50), undefined, 'process group gone');
ms('DELETE ?wait=true, single, p50', pct(waited.answer, 50), undefined, 'the old behaviour');
await app.close();
await rm(stateDir, { recursive: true, force: true });
await rm(work, { recursive: true, force: true });
