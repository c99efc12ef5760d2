/**
 * What an idle server costs in memory: `node dist/server.js` with the default config in a fresh
 * state directory, measured from /proc/<pid>/status once it answers /v1/health and has sat idle.
 *
 * The headline server's RSS is read twice: shortly after start, while V8 still holds the young
 * generation it grew as the modules loaded, and after the settle time, once V8's memory reducer
 * (which runs on its own some 10-100 s into an idle spell) has given that back: what a server
 * sitting idle costs, and the figure the target is held to. The line says when the reducer was
 * seen (RSS falling 4 MB or more below its highest sample); without it the settled figure is no
 * better than the early one.
 *
 * The breakdown (the default set, the kernel with every plugin off, and the default set with one
 * plugin off at a time) runs with a measuring preload (bench/lib/memory-probe.ts, with
 * --expose-gc): on a signal the server collects its garbage and reports its live heap, V8's
 * spaces and its RSS parts. Live heap after a full collection does not depend on when V8 last
 * collected, so the differences are what each plugin keeps; RSS differences between runs are
 * blurred by several MB of V8 young-generation sizing. A bare Node process is the floor nobody
 * can cut. The breakdown runs while the headline server idles, two variants at a time.
 *
 *   npm run bench -- idle-rss
 *   AEGIS_BENCH_SETTLE_MS=120000 node --expose-gc dist/bench/idle-rss.js
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { catalogue } from '../plugins/index.js';
import { type ServerProcess, startServer } from '../test/support/server-process.js';
import { figure } from './lib/report.js';

const SETTLE_MS = Number(process.env.AEGIS_BENCH_SETTLE_MS ?? 100_000);
const EARLY_MS = 3_000;
const PROBE = fileURLToPath(new URL('./lib/memory-probe.js', import.meta.url));

/** What the measuring preload reports, in MB. */
interface Probe {
  rss: number; heapUsed: number; heapTotal: number; external: number; rssAnon: number; rssFile: number;
  spaces: Record<string, { used: number; committed: number }>;
}

interface Status { rss: number; hwm: number; anon: number; file: number }

/** VmRSS, VmHWM, RssAnon and RssFile of a process, in MB. */
function status(pid: number): Status {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? Number.NaN) / 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM'), anon: kb('RssAnon'), file: kb('RssFile') };
}

interface Variant { label: string; off: string[] }
interface Result { variant: Variant; early?: Status; settled?: Status; reducedAtS?: number; probe?: Probe; error?: string }

/**
 * Starts the server with `variant`'s plugins off, waits for a 200 from /v1/health, then samples
 * its status each second for `idleMs`: the early figure, the settled one, and the moment the
 * memory reducer gave memory back.
 */
async function measure(variant: Variant, idleMs: number, probe = false): Promise<Result> {
  const home = await mkdtemp(join(tmpdir(), 'aegis-bench-idle-'));
  const probeOut = join(home, 'probe.jsonl');
  const nodeArgs = probe ? ['--expose-gc', '--import', PROBE] : [];
  const args: string[] = [];
  if (variant.off.length) {
    const file = join(home, 'aegis.config.json');
    await writeFile(file, JSON.stringify({ version: 1, plugins: Object.fromEntries(variant.off.map((n) => [n, false])) }));
    args.push('--config', file);
  }
  let server: ServerProcess | undefined;
  try {
    server = await startServer({ args, nodeArgs, env: { HOME: home, AEGIS_LOG_LEVEL: 'info', ...(probe ? { AEGIS_BENCH_PROBE_OUT: probeOut } : {}) }, stateDir: join(home, 'state'), cwd: home, timeoutMs: 60_000 });
    const health = await fetch(`${server.url}/v1/health`);
    await health.arrayBuffer();
    if (health.status !== 200) throw new Error(`health answered ${health.status}`);
    const pid = server.proc.pid!;
    const ready = Date.now();
    let early: Status | undefined;
    let high = 0;
    let reducedAtS: number | undefined;
    for (let i = 1; Date.now() - ready < idleMs && i < 10_000; i++) {
      await sleep(1000);
      const now = status(pid);
      if (!early && Date.now() - ready >= EARLY_MS) early = now;
      high = Math.max(high, now.rss);
      if (reducedAtS === undefined && now.rss <= high - 4) reducedAtS = Math.round((Date.now() - ready) / 1000);
    }
    let probed: Probe | undefined;
    if (probe) {
      server.proc.kill('SIGUSR2');
      for (let i = 0; i < 100 && !probed; i++) {
        await sleep(100);
        try { probed = JSON.parse(readFileSync(probeOut, 'utf8').split('\n')[0]!) as Probe; } catch { /* not written yet */ }
      }
    }
    return { variant, early: early ?? status(pid), settled: status(pid), ...(reducedAtS === undefined ? {} : { reducedAtS }), ...(probed ? { probe: probed } : {}) };
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
    await sleep(EARLY_MS + 2000);
    return status(proc.pid!);
  } finally {
    proc.kill();
  }
}

/** The breakdown, two variants at a time, each with the measuring preload. */
async function breakdown(): Promise<Result[]> {
  const defaults = Object.entries(catalogue).filter(([, e]) => e.enabledByDefault).map(([name]) => name);
  const variants: Variant[] = [
    { label: 'default', off: [] },
    { label: 'kernel only', off: Object.keys(catalogue) },
    ...defaults.map((name) => ({ label: `without ${name}`, off: [name] })),
  ];
  const out: Result[] = [];
  for (let i = 0; i < variants.length; i += 2) {
    out.push(...await Promise.all(variants.slice(i, i + 2).map((v) => measure(v, EARLY_MS + 2000, true))));
  }
  return out;
}

process.stdout.write(`settle ${SETTLE_MS} ms, load ${loadavg().map((x) => x.toFixed(1)).join(' ')}\n`);
const headline = measure({ label: 'default', off: [] }, SETTLE_MS);
// The rest waits for the headline server's boot, so that the two do not share the cores.
await sleep(5000);
const bare = await bareNode();
const parts = await breakdown();
const base = await headline;
if (!base.settled || !base.early) throw new Error(`the default server did not start: ${base.error}`);

const mb = (v: number) => `${v.toFixed(1).padStart(6)} MB`;
const reduced = base.reducedAtS === undefined ? 'V8 memory reducer not seen' : `V8 memory reducer at ${base.reducedAtS} s`;
process.stdout.write(`default server: settled ${mb(base.settled.rss)} (${reduced})   early ${mb(base.early.rss)}   peak ${mb(base.settled.hwm)}   anon ${mb(base.settled.anon)}   file ${mb(base.settled.file)}\n`);
process.stdout.write(`bare node:      ${mb(bare.rss)}   anon ${mb(bare.anon)}   file ${mb(bare.file)}\n`);
process.stdout.write('breakdown, live heap after a full collection (measuring preload), 5 s after ready:\n');
const probedBase = parts[0]!;
const live = (p: Probe) => p.heapUsed + p.external;
for (const r of parts) {
  if (!r.probe) { process.stdout.write(`  ${r.variant.label.padEnd(24)} n/a: ${r.error ?? 'no probe report'}\n`); continue; }
  const p = r.probe;
  const cost = r === probedBase || !probedBase.probe ? '' : `   keeps ${mb(live(probedBase.probe) - live(p))}`;
  process.stdout.write(`  ${r.variant.label.padEnd(24)} heap ${mb(p.heapUsed)}   external ${mb(p.external)}   rss ${mb(p.rss)}${cost}\n`);
}
const bp = probedBase.probe;
if (bp) {
  const sp = (name: string) => bp.spaces[name] ?? { used: 0, committed: 0 };
  process.stdout.write(`what the default server's RSS is made of (after a full collection): V8 heap committed ${mb(bp.heapTotal)} `
    + `(live ${mb(bp.heapUsed)}: old ${mb(sp('old_space').used)}, code ${mb(sp('code_space').used)}, large objects ${mb(sp('large_object_space').used)}; `
    + `young generation committed ${mb(sp('new_space').committed)}), external ${mb(bp.external)}, `
    + `other anonymous memory (native: V8 internals, libuv, ICU, node-pty, malloc, and heap pages V8 has freed but not yet returned) ${mb(bp.rssAnon - bp.heapTotal - bp.external)}, `
    + `file-backed (the node binary and shared libraries) ${mb(bp.rssFile)}\n`);
}

const load = `load ${loadavg()[0]!.toFixed(1)}`;
figure({ name: 'idle server RSS', value: base.settled.rss, unit: 'MB', target: { op: '<=', limit: 80 }, note: `after ${SETTLE_MS / 1000} s idle, ${reduced}; ${load}` });
figure({ name: `idle server RSS ${EARLY_MS / 1000} s after ready`, value: base.early.rss, unit: 'MB', note: 'before V8 gives back the young generation grown at boot' });
figure({ name: 'idle server peak RSS (VmHWM)', value: base.settled.hwm, unit: 'MB' });
figure({ name: 'bare Node RSS', value: bare.rss, unit: 'MB', note: 'the floor: node -e with a timer' });
if (bp) {
  figure({ name: 'idle server live JS heap', value: bp.heapUsed, unit: 'MB', note: 'after a full collection' });
  figure({ name: 'idle server file-backed RSS', value: bp.rssFile, unit: 'MB', note: 'node binary and libraries' });
}
const kernel = parts.find((r) => r.variant.label === 'kernel only');
if (kernel?.probe) figure({ name: 'kernel only live heap (every plugin off)', value: live(kernel.probe), unit: 'MB', note: 'heap used + external after a full collection' });
for (const r of parts) {
  if (r === probedBase || r === kernel || !r.probe || !bp) continue;
  figure({ name: `live heap of ${r.variant.off[0]}`, value: live(bp) - live(r.probe), unit: 'MB', note: 'default minus default without it, after a full collection' });
}
