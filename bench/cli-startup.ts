/**
 * How long `ag` takes to answer, as a user or a script meets it: a fresh Node process per call.
 * Prints the median and 90th percentile of wall time for commands that do not start the server
 * (version, --help) and for a client command against a real server (ls, with its token file).
 *
 *   npm run bench -- cli-startup
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { DIST } from '../test/support/paths.js';
import { startServer } from '../test/support/server-process.js';

const AG = join(DIST, 'bin', 'ag.js');
const RUNS = 15;

function measure(args: string[], env: Record<string, string> = {}): { median: number; p90: number } {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [AG, ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (r.status !== 0) throw new Error(`ag ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(RUNS / 2)], p90: times[Math.floor(RUNS * 0.9)] };
}

const server = await startServer({ env: { AEGIS_AUTH_TOKEN: '' } });
try {
  const env = { AEGIS_BASE_URL: server.url, AEGIS_STATE_DIR: server.stateDir, AEGIS_AUTH_TOKEN: '' };
  for (const [label, args] of [['ag version', ['version']], ['ag --help', ['--help']], ['ag ls (token file)', ['ls']], ['ag ls --json', ['ls', '--json']]] as const) {
    const m = measure([...args], env);
    process.stdout.write(`${label.padEnd(22)} median ${m.median.toFixed(0).padStart(5)} ms   p90 ${m.p90.toFixed(0).padStart(5)} ms   (${RUNS} runs)\n`);
  }
} finally {
  await server.stop();
}
