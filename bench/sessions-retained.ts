/**
 * A server with many exited sessions on disk (10,000 by default, as retention would leave them
 * between sweeps): how long the boot takes, and `GET /v1/sessions` (first page, a deep page, a
 * status filter) and transcript pages of a long transcript, p50/p99 over repeated requests.
 * Prints figures; asserts nothing.
 *
 *   npm run build && node dist/bench/sessions-retained.js [sessions] [transcriptEntries]
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { buildApp } from '../kernel/app.js';
import { loadConfig } from '../kernel/config/load.js';
import { catalogue } from '../plugins/index.js';
import { pct } from './lib/stats.js';

const N = Number(process.argv[2] ?? 10_000);
const ENTRIES = Number(process.argv[3] ?? 10_000);
const ROUNDS = 200;
const TOKEN = 'bench-token-0123456789abcdef0123456';

const row = (name: string, xs: number[]) => `${name.padEnd(46)} ${pct(xs, 50).toFixed(2).padStart(9)} ${pct(xs, 99).toFixed(2).padStart(9)}`;

const stateDir = await mkdtemp(join(tmpdir(), 'aegis-bench-retained-'));
const dir = join(stateDir, 'sessions');
await mkdir(dir, { recursive: true, mode: 0o700 });
const t0 = Date.parse('2026-01-01T00:00:00Z');
const ids: string[] = [];
for (let i = 0; i < N; i++) {
  const id = randomUUID();
  ids.push(id);
  const at = new Date(t0 + i * 1000).toISOString();
  const record = {
    id, agent: 'command', workDir: stateDir, permissionMode: 'default', env: {}, owner: { principalId: 'master' }, status: 'exited',
    createdAt: at, updatedAt: at, lastActivityAt: at, restarts: 0, driver: {}, reason: 'exited with code 0', exitCode: 0, exitSignal: null,
  };
  await writeFile(join(dir, `${id}.json`), JSON.stringify(record), { mode: 0o600 });
  const lines = Array.from({ length: i === N - 1 ? ENTRIES : 20 }, (_, k) => JSON.stringify({ id: `t-${k}`, index: k, role: k % 2 ? 'assistant' : 'user', text: `message ${k} `.repeat(8), at }));
  await writeFile(join(dir, `${id}.transcript.jsonl`), lines.join('\n') + '\n', { mode: 0o600 });
  await writeFile(join(dir, `${id}.secret`), 'x'.repeat(43) + '\n', { mode: 0o600 });
}
const big = ids[N - 1]!;

const config = await loadConfig({ env: { AEGIS_HOST: '127.0.0.1', AEGIS_STATE_DIR: stateDir, AEGIS_AUTH_TOKEN: TOKEN }, cwd: stateDir, home: stateDir });
config.plugins = { 'claude-code': false, acp: false, audit: false };
const rssBefore = process.memoryUsage().rss;
const boot = performance.now();
const app = await buildApp(config, { catalogue, logger: pino({ level: 'silent' }) });
await app.sessions.whenRestored();
const bootMs = performance.now() - boot;
const rssAfter = process.memoryUsage().rss;

const time = async (url: string) => {
  const xs: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const s = performance.now();
    const res = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${TOKEN}` } });
    xs.push(performance.now() - s);
    if (res.statusCode !== 200) throw new Error(`${url} -> ${res.statusCode} ${res.body.slice(0, 200)}`);
  }
  return xs;
};

console.log(`${N} exited sessions on disk, one with ${ENTRIES} transcript entries`);
console.log(`boot to restored: ${bootMs.toFixed(0)} ms, RSS +${((rssAfter - rssBefore) / 1048576).toFixed(1)} MiB`);
console.log(`${'request (ms)'.padEnd(46)} ${'p50'.padStart(9)} ${'p99'.padStart(9)}`);
console.log(row('GET /v1/sessions (first page of 50)', await time('/v1/sessions')));
console.log(row(`GET /v1/sessions?offset=${N - 50}`, await time(`/v1/sessions?offset=${N - 50}`)));
console.log(row('GET /v1/sessions?status=exited&limit=500', await time('/v1/sessions?status=exited&limit=500')));
console.log(row('GET transcript, first page of 100', await time(`/v1/sessions/${big}/transcript`)));
console.log(row('GET transcript, last page of 100', await time(`/v1/sessions/${big}/transcript?offset=${ENTRIES - 100}`)));
console.log(row('GET transcript/cursor, newest 100', await time(`/v1/sessions/${big}/transcript/cursor`)));
await app.close();
await rm(stateDir, { recursive: true, force: true });
