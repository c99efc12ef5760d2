/**
 * A preload for measuring runs only (`node --expose-gc --import dist/bench/lib/memory-probe.js`):
 * on SIGUSR2 the process collects its garbage twice and appends one JSON line to the file named
 * by AEGIS_BENCH_PROBE_OUT: process.memoryUsage(), V8's heap spaces and /proc/self/status's RSS
 * parts, all in MB. Live heap after a full collection does not depend on when V8 last collected,
 * so it tells what each part of the server keeps, where RSS alone is blurred by V8's sizing.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';

const out = process.env.AEGIS_BENCH_PROBE_OUT;
const mb = (n: number) => Math.round((n / 1048576) * 10) / 10;

process.on('SIGUSR2', () => {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  const usage = Object.fromEntries(Object.entries(process.memoryUsage()).map(([k, v]) => [k, mb(v)]));
  const spaces = Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, { used: mb(s.space_used_size), committed: mb(s.physical_space_size) }]));
  const status = readFileSync('/proc/self/status', 'utf8');
  const kb = (key: string) => mb(Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024);
  if (out) appendFileSync(out, `${JSON.stringify({ ...usage, spaces, rssAnon: kb('RssAnon'), rssFile: kb('RssFile') })}\n`);
});
