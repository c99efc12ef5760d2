/**
 * ACP vs PTY: how fast Aegis turns what the model does into session events, for `claude-acp`
 * (structured ACP messages) and the PTY `claude-code` driver (screen and hooks) when it is
 * registered, on the same scripted replies from the project's model server, in one run.
 *
 *   prompt -> working      POST /send until `session.state-changed` to working
 *   first chunk -> event   the model starts streaming a one-chunk reply until the event that
 *                          shows it, the turn's `idle` (ACP has no per-chunk event: the chunk goes
 *                          to the transcript, and for a one-chunk reply the idle is its first event)
 *   permission -> event    the model serves a Bash tool call until `permission.requested`
 *
 * Prints p50/p99/max over N rounds (default 10) per agent; asserts nothing.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/acp-vs-pty.js [rounds]
 */
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../kernel/app.js';
import { loadConfig } from '../kernel/config/load.js';
import { catalogue } from '../plugins/index.js';
import { reply, startModelServer, type ModelServer } from '../test/support/model-server.js';
import { createSandboxHome } from '../test/support/sandbox-home.js';
import '../plugins/sessions/index.js';
import { pct } from './lib/stats.js';

const ROUNDS = Number(process.argv[2] ?? 10);
const TOKEN = 'bench-token-0123456789abcdef0123456';
const WAIT_MS = 120000;

const f = (x: number) => x.toFixed(1).padStart(9);
const row = (name: string, xs: number[]) => `${name.padEnd(34)} ${String(xs.length).padStart(4)} ${f(pct(xs, 50))} ${f(pct(xs, 99))} ${f(Math.max(...xs))}`;

/** Resolves with the time of the first `name` event matching `pred`; rejects after WAIT_MS. */
function eventAt<K extends 'session.state-changed' | 'permission.requested'>(app: FastifyInstance, name: K, pred: (p: any) => boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { off(); reject(new Error(`no ${name} within ${WAIT_MS} ms`)); }, WAIT_MS);
    const off = app.events.on(name, (p) => { if (pred(p)) { clearTimeout(timer); off(); resolve(Date.now()); } });
  });
}

async function http(base: string, method: string, path: string, body?: unknown) {
  const res = await fetch(base + path, {
    method, headers: { authorization: `Bearer ${TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, json: await res.json() as any };
}

async function measure(app: FastifyInstance, base: string, model: ModelServer, agent: string, work: string) {
  const out = { working: [] as number[], chunk: [] as number[], permission: [] as number[] };
  const created = await http(base, 'POST', '/v1/sessions', { agent, workDir: work, reuse: false });
  if (created.status !== 201) throw new Error(`${agent}: create answered ${created.status} ${JSON.stringify(created.json)}`);
  const id = created.json.id as string;
  const is = (to: string) => (p: any) => p.sessionId === id && p.to === to;
  if (app.sessions.get(id)?.status !== 'idle') await eventAt(app, 'session.state-changed', is('idle'));
  for (let i = 0; i < ROUNDS; i++) {
    model.script([reply.text(`pong ${i}`)]);
    const turn = model.waitForTurn(model.turns.length + 1, WAIT_MS);
    const working = eventAt(app, 'session.state-changed', is('working'));
    const idle = eventAt(app, 'session.state-changed', is('idle'));
    const sent = Date.now();
    await http(base, 'POST', `/v1/sessions/${id}/send`, { text: `ping ${i}` });
    out.working.push((await working) - sent);
    const served = (await turn).receivedAt;
    out.chunk.push((await idle) - served);
  }
  for (let i = 0; i < ROUNDS; i++) {
    model.script([reply.bash(`touch bench-${i}.txt`, 'Make a file'), reply.text('made it')]);
    const turn = model.waitForTurn(model.turns.length + 1, WAIT_MS);
    const asked = eventAt(app, 'permission.requested', (p) => p.sessionId === id);
    await http(base, 'POST', `/v1/sessions/${id}/send`, { text: `make file ${i}` });
    const served = (await turn).receivedAt;
    out.permission.push((await asked) - served);
    const idle = eventAt(app, 'session.state-changed', is('idle'));
    await http(base, 'POST', `/v1/sessions/${id}/approve`, {});
    await idle;
  }
  await http(base, 'DELETE', `/v1/sessions/${id}`);
  return out;
}

const model = await startModelServer();
const work = await realpath(await mkdtemp(join(tmpdir(), 'aegis-bench-acp-work-')));
const stateDir = await mkdtemp(join(tmpdir(), 'aegis-bench-acp-state-'));
const sandbox = await createSandboxHome({ baseUrl: model.url, workDirs: [work] });
const config = await loadConfig({ env: { AEGIS_HOST: '127.0.0.1', AEGIS_STATE_DIR: stateDir, AEGIS_AUTH_TOKEN: TOKEN, AEGIS_PORT: '0' }, cwd: work, home: work });
// Both drivers get the same sandbox (HOME with its .claude.json, the model server, the key).
const hasPty = 'claude-code' in catalogue;
config.plugins = { sessions: { killGraceMs: 2000 }, acp: { env: sandbox.env }, ...(hasPty ? { 'claude-code': { env: sandbox.env } } : {}) };
const app = await buildApp(config, { catalogue, logger: pino({ level: 'silent' }) });
await app.listen({ host: '127.0.0.1', port: 0 });
const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;

const agents = ['claude-acp', ...(app.sessions.agents().some((d) => d.name === 'claude-code') ? ['claude-code'] : [])];
const lines: string[] = [`${'latency, ms'.padEnd(34)} ${'n'.padStart(4)} ${'p50'.padStart(9)} ${'p99'.padStart(9)} ${'max'.padStart(9)}`];
try {
  for (const agent of agents) {
    try {
      const m = await measure(app, base, model, agent, work);
      lines.push(row(`${agent}: prompt -> working`, m.working), row(`${agent}: first chunk -> event`, m.chunk), row(`${agent}: permission -> event`, m.permission));
    } catch (err) {
      lines.push(`${agent}: not measured: ${(err as Error).message}`);
    }
  }
  if (!agents.includes('claude-code')) lines.push('claude-code (PTY) driver is not registered in this build: ACP measured alone.');
  process.stdout.write(`ACP vs PTY, ${ROUNDS} rounds each, scripted model on ${model.url}\n${lines.join('\n')}\n`);
} finally {
  await app.close();
  await model.close();
  await sandbox.cleanup();
  await rm(work, { recursive: true, force: true });
  await rm(stateDir, { recursive: true, force: true });
}
