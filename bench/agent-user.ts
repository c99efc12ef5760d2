/**
 * What running agents as another OS user costs at create: N sequential creates of a command
 * session (bash in a PTY), once as the server's own user and once through `setpriv` as an agent
 * user (resolving it, preparing its per-session folder, checking the workDir, wrapping the
 * command). Prints create latency (until the 201, the agent's pid on disk) and delete latency.
 * Needs root and an existing agent user (AEGIS_BENCH_AGENT_USER, default `aegis-test-agent`,
 * which the isolation tests create); otherwise it says why and does nothing. Asserts nothing.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/agent-user.js [creates]
 */
import { execFileSync } from 'node:child_process';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { buildApp } from '../kernel/app.js';
import { loadConfig } from '../kernel/config/load.js';
import { catalogue } from '../plugins/index.js';
import '../plugins/sessions/index.js';
import { pct } from './lib/stats.js';

const N = Number(process.argv[2] ?? 40);
const USER = process.env.AEGIS_BENCH_AGENT_USER ?? 'aegis-test-agent';
const TOKEN = 'bench-token-0123456789abcdef0123456';

const row = (name: string, xs: number[]) => `${name.padEnd(40)} ${String(xs.length).padStart(5)} ${pct(xs, 50).toFixed(2).padStart(9)} ${pct(xs, 99).toFixed(2).padStart(9)}`;

function agentIds(): { uid: number; gid: number } | string {
  if (process.getuid?.() !== 0) return 'needs root to start agents as another user';
  try {
    const f = execFileSync('getent', ['passwd', USER], { encoding: 'utf8' }).split(':');
    return { uid: Number(f[2]), gid: Number(f[3]) };
  } catch {
    return `no user ${USER} (run the isolation tests once, or set AEGIS_BENCH_AGENT_USER)`;
  }
}

async function run(agentUser: string | undefined, owner: { uid: number; gid: number }): Promise<{ create: number[]; kill: number[] }> {
  const stateDir = await mkdtemp(join(tmpdir(), 'aegis-bench-state-'));
  const work = await mkdtemp(join(tmpdir(), 'aegis-bench-work-'));
  await chown(work, owner.uid, owner.gid);
  const config = await loadConfig({ env: { AEGIS_HOST: '127.0.0.1', AEGIS_STATE_DIR: stateDir, AEGIS_AUTH_TOKEN: TOKEN }, cwd: work, home: work });
  config.plugins = {
    sessions: { killGraceMs: 1000, ...(agentUser ? { agentUser, agentRuntimeDir: join(stateDir, '..', `${stateDir.split('/').pop()}-agents`) } : {}) },
    command: { command: 'bash', args: ['-c', 'echo ready; read -r l'], quietMs: 100 },
  };
  const app = await buildApp(config, { catalogue: { auth: catalogue.auth, sessions: catalogue.sessions, command: catalogue.command }, logger: pino({ level: 'silent' }) });
  const out = { create: [] as number[], kill: [] as number[] };
  for (let i = 0; i < N; i++) {
    let t0 = performance.now();
    const res = await app.inject({ method: 'POST', url: '/v1/sessions', headers: { authorization: `Bearer ${TOKEN}` }, payload: { workDir: work, agent: 'command', reuse: false } });
    out.create.push(performance.now() - t0);
    const id = res.json().id as string;
    t0 = performance.now();
    await app.inject({ method: 'DELETE', url: `/v1/sessions/${id}`, headers: { authorization: `Bearer ${TOKEN}` } });
    out.kill.push(performance.now() - t0);
  }
  await app.close();
  await rm(stateDir, { recursive: true, force: true });
  await rm(work, { recursive: true, force: true });
  return out;
}

const ids = agentIds();
if (typeof ids === 'string') {
  process.stdout.write(`agent-user bench skipped: ${ids}\n`);
} else {
  const own = await run(undefined, ids);
  const other = await run(USER, ids);
  process.stdout.write(`${'ms'.padEnd(40)} ${'n'.padStart(5)} ${'p50'.padStart(9)} ${'p99'.padStart(9)}\n`);
  process.stdout.write(`${row('create, server user', own.create)}\n${row(`create, as ${USER} (setpriv)`, other.create)}\n`);
  process.stdout.write(`${row('delete, server user', own.kill)}\n${row(`delete, as ${USER}`, other.kill)}\n`);
}
