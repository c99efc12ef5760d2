/**
 * Runs every benchmark in turn, each in its own process so one's memory does not colour the next.
 * Each prints its own figures; the headline ones (with their targets) are gathered into one table
 * at the end, so a regression is one command away. This asserts nothing: a missed target is shown
 * as MISS, and the exit code says only whether every bench ran.
 *
 *   npm run bench            # all
 *   npm run bench -- acp     # those whose file name contains "acp"
 *   npm run bench -- create-idle sessions-command idle-rss delete request-log   # several
 *   npm run bench -- notify  # webhook deliveries per second (notify-webhook.ts)
 *   npm run bench -- tracing # tracing overhead: off vs on at sample rates 1.0 and 0.1
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Figure, meets } from './lib/report.js';

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const benches = readdirSync(here)
  .filter((f) => f.endsWith('.js') && f !== 'run.js' && !f.includes('-client') && (filters.length === 0 || filters.some((x) => f.includes(x))))
  .sort();
const scratch = mkdtempSync(join(tmpdir(), 'aegis-bench-figures-'));
const rows: Array<Figure & { bench: string }> = [];
let failed = 0;
for (const file of benches) {
  process.stdout.write(`\n=== ${file} ===\n`);
  const out = join(scratch, `${file}.jsonl`);
  const r = spawnSync(process.execPath, ['--expose-gc', join(here, file)], { stdio: 'inherit', env: { ...process.env, AEGIS_BENCH_FIGURES: out } });
  if (r.status !== 0) failed++;
  let text = '';
  try { text = readFileSync(out, 'utf8'); } catch { /* this bench reports no headline figures */ }
  for (const line of text.split('\n')) if (line) rows.push({ ...(JSON.parse(line) as Figure), bench: file.replace(/\.js$/, '') });
}
rmSync(scratch, { recursive: true, force: true });

const num = (v: number) => (Number.isNaN(v) ? 'n/a' : Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2));
const table = rows.map((f) => {
  const ok = meets(f);
  return [f.bench, f.name, `${num(f.value)} ${f.unit}`, f.target ? `${f.target.op} ${f.target.limit} ${f.unit}` : '', ok === undefined ? '' : ok ? 'ok' : 'MISS', f.note ?? ''];
});
const head = ['bench', 'figure', 'value', 'target', '', 'note'];
const widths = head.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
const line = (r: string[]) => r.map((c, i) => (i === 2 || i === 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
process.stdout.write([
  '',
  `=== figures (${cpus().length} cores ${cpus()[0]?.model ?? ''}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load ${loadavg().map((x) => x.toFixed(1)).join(' ')}) ===`,
  line(head),
  ...table.map(line),
  `${table.filter((r) => r[4] === 'ok').length} met, ${table.filter((r) => r[4] === 'MISS').length} missed${failed ? `; ${failed} bench(es) failed to run` : ''}`,
  '',
].join('\n'));
process.exitCode = failed ? 1 : 0;
