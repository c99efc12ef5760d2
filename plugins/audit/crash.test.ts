import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AuditLog } from './log.js';
import { verifyChain } from './verify.js';

const KEY = 'crash-test-key-0123456789';

/** A child that appends batches of fat records through the real module and prints each durable seq. */
const CHILD = (moduleUrl: string, dir: string) => `
const { AuditLog } = await import(${JSON.stringify(moduleUrl)});
const log = await AuditLog.open(${JSON.stringify(dir)}, ${JSON.stringify(KEY)});
const pad = 'x'.repeat(3000);
for (let n = 0; ; ) {
  const batch = [];
  for (let i = 0; i < 40; i++) batch.push(log.record({ actor: 'child', action: 'crash.test', detail: { n: n++, pad } }));
  await Promise.all(batch);
  process.stdout.write(log.position.seq + '\\n');
}`;

t.test('after kill -9 in the middle of writes, the log reopens, verifies and appends cleanly', async (t) => {
  for (let round = 0; round < 3; round++) {
    const dir = await mkdtemp(join(tmpdir(), 'aegis-audit-crash-'));
    t.teardown(() => rm(dir, { recursive: true, force: true }));
    const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD(pathToFileURL(join(import.meta.dirname, 'log.js')).href, dir)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let durable = 0;
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    await new Promise<void>((resolve, reject) => {
      // Killed at a different point each round: after 200, 400, 600 acknowledged records.
      const target = 200 * (round + 1);
      const timer = setTimeout(() => reject(new Error('the child wrote too slowly')), 20_000);
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        for (const line of chunk.split('\n').filter(Boolean)) durable = Math.max(durable, Number(line));
        if (durable >= target) {
          clearTimeout(timer);
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    t.equal(await exited, 'SIGKILL');
    const log = await AuditLog.open(dir, KEY);
    t.ok(log.position.seq >= durable, `round ${round}: every acknowledged record survived (${log.position.seq} >= ${durable})`);
    const before = log.position.seq;
    await Promise.all(Array.from({ length: 25 }, (_, i) => log.record({ actor: 'parent', action: 'after.crash', detail: { i } })));
    await log.close();
    const report = await verifyChain(dir, KEY);
    t.same(report.ok, true, `round ${round}: the chain verifies after restart`);
    t.equal(report.records, before + 25);
  }
});
