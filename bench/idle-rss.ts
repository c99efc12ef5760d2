/**
 * What an idle server costs in memory: `node dist/server.js` with the default config in a fresh
 * state directory, measured from /proc/<pid>/status once it answers /v1/health and has sat idle.
 *
 * RSS is read twice: shortly after start, while V8 still holds the young generation it grew as the
 * modules loaded, and after the settle time, once V8's memory reducer (which runs on its own some
 * 10-60 s into an idle spell) has given that back: what a server sitting idle costs, and the
 * figure the target is held to. The line says when the reducer was seen (RSS falling 4 MB or more
 * below its highest sample); without it the settled figure is no better than the early one.
 * Beside it: a bare Node process (the floor nobody can cut), the kernel with every plugin off,
 * and the default set with one plugin off at a time, whose difference is what that plugin costs
 * (noisy to a few MB: the young generation's size differs from run to run). All variants run at
 * once, staggered, so the bench takes one settle time; each is its own process, so their RSS
 * does not mix (the shared CPU only slows their boot).
 *
 *   npm run bench -- idle-rss
 *   AEGIS_BENCH_SETTLE_MS=60000 node --expose-gc dist/bench/idle-rss.js
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { catalogue } from '../plugins/index.js';
import { type ServerProcess, startServer } from '../test/support/server-process.js';
import { figure } from './lib/report.js';

const SETTLE_MS = Number(process.env.AEGIS_BENCH_SETTLE_MS ?? 90_000);
const EARLY_MS = 3_000;

interface Status { rss: number; hwm: number; anon: number; file: number }

/** VmRSS, VmHWM, RssAnon and RssFile of a process, in MB. */
function status(pid: number): Status {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? Number.NaN) / 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM'), anon: kb('RssAnon'), file: kb('RssFile') };
}

interface Variant { label: string; off: string[] }
const defaults = Object.entries(catalogue).filter(([, e]) => e.enabledByDefault).map(([name]) => name);
const variants: Variant[] = [
  { label: 'default', off: [] },
  { label: 'kernel only', off: Object.keys(catalogue) },
  ...defaults.map((name) => ({ label: `without ${name}`, off: [name] })),
];

interface Result { variant: Variant; early?: Status; settled?: Status; reducedAtS?: number; error?: string }

async function measure(variant: Variant, index: number): Promise<Result> {
  const home = await mkdtemp(join(tmpdir(), 'aegis-bench-idle-'));
  const args: string[] = [];
  if (variant.off.length) {
    const file = join(home, 'aegis.config.json');
    await writeFile(file, JSON.stringify({ version: 1, plugins: Object.fromEntries(variant.off.map((n) => [n, false])) }));
    args.push('--config', file);
  }
  // Staggered so the boots do not all fight for the two cores at once.
  await sleep(index * 1000);
  let server: ServerProcess | undefined;
  try {
    server = await startServer({ args, env: { HOME: home, AEGIS_LOG_LEVEL: 'info' }, stateDir: join(home, 'state'), cwd: home, timeoutMs: 60_000 });
    const health = await fetch(`${server.url}/v1/health`);
    await health.arrayBuffer();
    if (health.status !== 200) throw new Error(`health answered ${health.status}`);
    const pid = server.proc.pid!;
    const ready = Date.now();
    let early: Status | undefined;
    let high = 0;
    let reducedAtS: number | undefined;
    // Sampled each second: the early figure, and the moment the memory reducer gives memory back.
    for (let i = 1; Date.now() - ready < SETTLE_MS && i < 10_000; i++) {
      await sleep(1000);
      const now = status(pid);
      if (!early && Date.now() - ready >= EARLY_MS) early = now;
      high = Math.max(high, now.rss);
      if (reducedAtS === undefined && now.rss <= high - 4) reducedAtS = Math.round((Date.now() - ready) / 1000);
    }
    return { variant, early: early ?? status(pid), settled: status(pid), ...(reducedAtS === undefined ? {} : { reducedAtS }) };
  } catch (err) {
    // Some plugins cannot be turned off alone (others depend on them): the boot says so.
    const line = server?.stderr.find((l) => l.startsWith('aegis:')) ?? (err as Error).message.split('\n')[0];
    return { variant, error: line };
  } finally {
    await server?.stop();
    await rm(home, { recursive: true, force: true });
  }
}

/** A bare Node process that only waits: the memory of Node itself. */
async function bareNode(): Promise<Status> {
  const proc = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)'], { stdio: 'ignore' });
  try {
    await sleep(SETTLE_MS);
    return status(proc.pid!);
  } finally {
    proc.kill();
  }
}

process.stdout.write(`settle ${SETTLE_MS} ms, load ${loadavg().map((x) => x.toFixed(1)).join(' ')}\n`);
const [bare, ...results] = await Promise.all([bareNode(), ...variants.map((v, i) => measure(v, i))]);
const base = results[0]!;
if (!base.settled || !base.early) throw new Error(`the default server did not start: ${base.error}`);
const mb = (v: number) => `${v.toFixed(1).padStart(6)} MB`;
process.stdout.write(`${'bare node'.padEnd(26)} settled ${mb(bare.rss)}   anon ${mb(bare.anon)}   file ${mb(bare.file)}\n`);
for (const r of results) {
  if (!r.settled || !r.early) { process.stdout.write(`${r.variant.label.padEnd(26)} n/a: ${r.error}\n`); continue; }
  const cost = r === base ? '' : `   saves ${mb(base.settled.rss - r.settled.rss)}`;
  const reduced = r.reducedAtS === undefined ? '   (no reducer seen)' : `   (reducer at ${r.reducedAtS} s)`;
  process.stdout.write(`${r.variant.label.padEnd(26)} settled ${mb(r.settled.rss)}   early ${mb(r.early.rss)}   peak ${mb(r.settled.hwm)}   anon ${mb(r.settled.anon)}   file ${mb(r.settled.file)}${cost}${reduced}\n`);
}

const note = `after ${SETTLE_MS / 1000} s idle, ${base.reducedAtS === undefined ? 'V8 memory reducer not seen' : `V8 memory reducer at ${base.reducedAtS} s`}; load ${loadavg()[0]!.toFixed(1)}`;
figure({ name: 'idle server RSS', value: base.settled.rss, unit: 'MB', target: { op: '<=', limit: 80 }, note });
figure({ name: `idle server RSS ${EARLY_MS / 1000} s after ready`, value: base.early.rss, unit: 'MB', note: 'before V8 gives back the young generation grown at boot' });
figure({ name: 'idle server peak RSS (VmHWM)', value: base.settled.hwm, unit: 'MB' });
figure({ name: 'bare Node RSS', value: bare.rss, unit: 'MB', note: 'the floor: node -e with a timer' });
const kernel = results.find((r) => r.variant.label === 'kernel only');
if (kernel?.settled) figure({ name: 'kernel only RSS (every plugin off)', value: kernel.settled.rss, unit: 'MB' });
for (const r of results) {
  if (r === base || r === kernel || !r.settled) continue;
  figure({ name: `cost of ${r.variant.off[0]}`, value: base.settled.rss - r.settled.rss, unit: 'MB', note: 'default RSS minus RSS with it off' });
}
