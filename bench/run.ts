/**
 * Runs every benchmark in turn, each in its own process so one's memory does not colour the next.
 * Each prints its own figures; this asserts nothing.
 *
 *   npm run bench            # all
 *   npm run bench -- acp     # those whose file name contains "acp"
 *   npm run bench -- notify  # webhook deliveries per second (notify-webhook.ts)
 *   npm run bench -- tracing # tracing overhead: off vs on at sample rates 1.0 and 0.1
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2] ?? '';
const benches = readdirSync(here)
  .filter((f) => f.endsWith('.js') && f !== 'run.js' && !f.includes('-client') && f.includes(filter))
  .sort();
let failed = 0;
for (const file of benches) {
  process.stdout.write(`\n=== ${file} ===\n`);
  const r = spawnSync(process.execPath, ['--expose-gc', join(here, file)], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exitCode = failed ? 1 : 0;
