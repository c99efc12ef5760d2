/**
 * claude-acp interrupt: how long from `POST /interrupt` on a streaming reply to the session's
 * `idle`, and from the next `POST /send` to that next answer's `idle` (what a user waits for
 * after stopping a turn; a process replacement after the cancel shows here).
 *
 * Prints p50/p99/max over N rounds (default 5); asserts nothing.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/acp-interrupt.js [rounds]
 */
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../kernel/app.js';
import { loadConfig } from '../kernel/config/load.js';
import { catalogue } from '../plugins/index.js';
import { reply, startModelServer } from '../test/support/model-server.js';
import { createSandboxHome } from '../test/support/sandbox-home.js';
import '../plugins/sessions/index.js';
import { pct } from './lib/stats.js';

const ROUNDS = Number(process.argv[2] ?? 5);
const TOKEN = 'bench-token-0123456789abcdef0123456';
const WAIT_MS = 120000;

const f = (x: number) => x.toFixed(1).padStart(9);
const row = (name: string, xs: number[]) => `${name.padEnd(34)} ${String(xs.length).padStart(4)} ${f(pct(xs, 50))} ${f(pct(xs, 99))} ${f(Math.max(...xs))}`;

function idleAt(app: FastifyInstance, id: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { off(); reject(new Error(`no idle within ${WAIT_MS} ms`)); }, WAIT_MS);
    const off = app.events.on('session.state-changed', (p) => {
      if (p.sessionId === id && p.to === 'idle') { clearTimeout(timer); off(); resolve(Date.now()); }
    });
  });
}

const model = await startModelServer();
const work = await realpath(await mkdtemp(join(tmpdir(), 'aegis-bench-acpint-work-')));
const stateDir = await mkdtemp(join(tmpdir(), 'aegis-bench-acpint-state-'));
const sandbox = await createSandboxHome({ baseUrl: model.url, workDirs: [work] });
const config = await loadConfig({ env: { AEGIS_HOST: '127.0.0.1', AEGIS_STATE_DIR: stateDir, AEGIS_AUTH_TOKEN: TOKEN, AEGIS_PORT: '0' }, cwd: work, home: work });
config.plugins = { sessions: { killGraceMs: 2000 }, acp: { env: sandbox.env } };
const app = await buildApp(config, { catalogue, logger: pino({ level: 'silent' }) });
await app.listen({ host: '127.0.0.1', port: 0 });
const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
const http = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(base + path, {
    method, headers: { authorization: `Bearer ${TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, json: await res.json() as any };
};

const interrupt: number[] = [];
const next: number[] = [];
try {
  const created = await http('POST', '/v1/sessions', { agent: 'claude-acp', workDir: work, reuse: false });
  const id = created.json.id as string;
  if (app.sessions.get(id)?.status !== 'idle') await idleAt(app, id);
  for (let i = 0; i < ROUNDS; i++) {
    model.script([reply.slowText('word '.repeat(400), { chunkDelayMs: 50, chunkSize: 5 })]);
    const streaming = model.waitForTurn(model.turns.length + 1, WAIT_MS);
    await http('POST', `/v1/sessions/${id}/send`, { text: `long story ${i}` });
    await streaming;
    const stopped = idleAt(app, id);
    const at = Date.now();
    await http('POST', `/v1/sessions/${id}/interrupt`, {});
    interrupt.push((await stopped) - at);
    model.script([reply.text(`here ${i}`)]);
    const answered = idleAt(app, id);
    const sent = Date.now();
    await http('POST', `/v1/sessions/${id}/send`, { text: `are you there ${i}?` });
    next.push((await answered) - sent);
  }
  await http('DELETE', `/v1/sessions/${id}`);
  const adapter = app.sessions.agents().find((d) => d.name === 'claude-acp') ? 'claude-acp' : '?';
  process.stdout.write(`${adapter} interrupt, ${ROUNDS} rounds\n${'latency, ms'.padEnd(34)} ${'n'.padStart(4)} ${'p50'.padStart(9)} ${'p99'.padStart(9)} ${'max'.padStart(9)}\n`
    + `${row('interrupt -> idle', interrupt)}\n${row('next send -> idle (answered)', next)}\n`);
} finally {
  await app.close();
  await model.close();
  await sandbox.cleanup();
  await rm(work, { recursive: true, force: true });
  await rm(stateDir, { recursive: true, force: true });
}
