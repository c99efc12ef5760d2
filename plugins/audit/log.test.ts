import t from 'tap';
import { waitUntil } from '../../test/support/wait.js';
import { appendFile, mkdtemp, readdir, readFile, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { GENESIS, canonicalJson, type AuditRecord } from './chain.js';
import { AuditLog, auditFiles } from './log.js';
import { verifyChain } from './verify.js';

const KEY = 'test-audit-key-0123456789';
const scratchDirs: string[] = [];
t.teardown(() => Promise.all(scratchDirs.map((d) => rm(d, { recursive: true, force: true }))));

async function scratch(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'aegis-audit-'));
  scratchDirs.push(dir);
  return dir;
}

async function filled(n: number): Promise<{ dir: string; file: string }> {
  const dir = await scratch();
  const log = await AuditLog.open(dir, KEY);
  await Promise.all(Array.from({ length: n }, (_, i) => log.record({ actor: 'tester', action: 'test.action', detail: { i } })));
  await log.close();
  return { dir, file: join(dir, (await auditFiles(dir))[0]) };
}

async function rewrite(file: string, change: (lines: string[]) => string[]): Promise<void> {
  const lines = (await readFile(file, 'utf8')).split('\n').filter(Boolean);
  await writeFile(file, change(lines).join('\n') + '\n');
}

t.test('canonical JSON sorts keys at every level and drops undefined', async (t) => {
  t.equal(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } }), '{"a":{"d":[1,{"y":2,"z":1}]},"b":1}');
});

t.test('1,000 concurrent records form one unbroken chain', async (t) => {
  const { dir, file } = await filled(1000);
  const records = (await readFile(file, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as AuditRecord);
  t.same(records.map((r) => r.seq), Array.from({ length: 1000 }, (_, i) => i + 1));
  t.equal(records[0].prevHash, GENESIS);
  t.same(new Set(records.map((r) => r.detail.i)).size, 1000, 'every record is there once');
  t.match(await verifyChain(dir, KEY), { ok: true, records: 1000, files: 1, head: { seq: 1000 } });
  t.notOk((await verifyChain(dir, 'another-key')).ok, 'a different key does not verify');
});

t.test('an altered line is named by verify', async (t) => {
  const { dir, file } = await filled(20);
  await rewrite(file, (lines) => { lines[6] = lines[6].replace('"i":', '"i":1'); return lines; });
  t.match(await verifyChain(dir, KEY), { ok: false, firstBroken: { line: 7, seq: 7, reason: 'hash' } });
});

t.test('a deleted line is named by verify', async (t) => {
  const { dir, file } = await filled(20);
  await rewrite(file, (lines) => lines.filter((_, i) => i !== 9));
  t.match(await verifyChain(dir, KEY), { ok: false, records: 19, firstBroken: { line: 10, seq: 11, reason: 'seq' } });
});

t.test('two reordered lines are named by verify', async (t) => {
  const { dir, file } = await filled(20);
  await rewrite(file, (lines) => { [lines[3], lines[4]] = [lines[4], lines[3]]; return lines; });
  t.match(await verifyChain(dir, KEY), { ok: false, firstBroken: { line: 4, seq: 5, reason: 'seq' } });
});

t.test('a line that does not parse is named by verify', async (t) => {
  const { dir, file } = await filled(5);
  await rewrite(file, (lines) => { lines[2] = '{"seq":3,'; return lines; });
  t.match(await verifyChain(dir, KEY), { ok: false, firstBroken: { line: 3, seq: 3, reason: 'unparseable' } });
});

t.test('the chain continues across daily files and across reopening', async (t) => {
  const dir = await scratch();
  let now = new Date('2030-01-01T23:59:59.000Z');
  const first = await AuditLog.open(dir, KEY, { now: () => now });
  await Promise.all([1, 2, 3].map((i) => first.record({ actor: 'a', action: 'x', detail: { i } })));
  now = new Date('2030-01-02T00:00:01.000Z');
  await first.record({ actor: 'a', action: 'x' });
  await first.close();
  const second = await AuditLog.open(dir, KEY, { now: () => now });
  t.same(second.position.seq, 4);
  const fifth = await second.record({ actor: 'a', action: 'x' });
  await second.close();
  t.equal(fifth.seq, 5);
  t.same(await auditFiles(dir), ['audit-2030-01-01.jsonl', 'audit-2030-01-02.jsonl']);
  const day2 = (await readFile(join(dir, 'audit-2030-01-02.jsonl'), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const day1 = (await readFile(join(dir, 'audit-2030-01-01.jsonl'), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l));
  t.equal(day2[0].prevHash, day1.at(-1).hash, 'the first record of a day chains to the last of the day before');
  t.match(await verifyChain(dir, KEY), { ok: true, records: 5, files: 2, head: { seq: 5 } });
  const moved = join(dir, 'audit-2030-01-03.jsonl');
  await writeFile(moved, '');
  t.same((await verifyChain(dir, KEY)).ok, true, 'an empty day file is harmless');
});

t.test('a torn last line is set aside on open, and the chain continues from the last intact record', async (t) => {
  const { dir, file } = await filled(10);
  await appendFile(file, '{"seq":11,"ts":"2030-01-01T00:00:00.000Z","actor":"half-writ');
  t.match(await verifyChain(dir, KEY), { ok: false, firstBroken: { line: 11, reason: 'unparseable' } }, 'verify sees the tear before repair');
  const log = await AuditLog.open(dir, KEY);
  await log.idle();
  t.same(log.position.seq, 11, 'the chain continues after the last intact record with a record of the repair');
  t.equal((await log.record({ actor: 'a', action: 'after' })).seq, 12);
  await log.close();
  t.match(await verifyChain(dir, KEY), { ok: true, records: 12, files: 1 }, 'a crash tear is no loss: verify passes');
  const lines = (await readFile(file, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l));
  t.match(lines[10], { seq: 11, action: 'audit.recovered', detail: { reason: 'torn-tail', file: basename(file) } });
  const fragments = (await readdir(dir)).filter((f) => f.endsWith('.fragment'));
  t.equal(fragments.length, 1, 'the torn bytes are kept aside for inspection');
  t.match(await readFile(join(dir, fragments[0]), 'utf8'), /half-writ/);
});

t.test('a file that is nothing but a tear is emptied, and the chain continues from the day before', async (t) => {
  const dir = await scratch();
  let now = new Date('2030-01-01T12:00:00.000Z');
  const log = await AuditLog.open(dir, KEY, { now: () => now });
  await log.record({ actor: 'a', action: 'x' });
  await log.close();
  await writeFile(join(dir, 'audit-2030-01-02.jsonl'), '{"seq":2,"ts"');
  now = new Date('2030-01-02T12:00:00.000Z');
  const reopened = await AuditLog.open(dir, KEY, { now: () => now });
  t.equal((await reopened.record({ actor: 'a', action: 'y' })).seq, 3, 'after the record of the repair');
  await reopened.close();
  t.match(await verifyChain(dir, KEY), { ok: true, records: 3, files: 2 });
});

t.test('a log cut short is reported against its signed head, and stays reported after a restart', async (t) => {
  const { dir, file } = await filled(10);
  await rewrite(file, (lines) => lines.slice(0, 7));
  t.match(await verifyChain(dir, KEY), { ok: false, firstBroken: { seq: 10, reason: 'truncated' }, head: { seq: 10 } });
  const log = await AuditLog.open(dir, KEY);
  await log.record({ actor: 'a', action: 'after-restart' });
  await log.close();
  const report = await verifyChain(dir, KEY);
  t.match(report, { ok: false, firstBroken: { seq: 8, reason: 'truncated' } }, 'the recovery record names the loss');
  const lines = (await readFile(file, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l));
  t.match(lines[7], { action: 'audit.recovered', detail: { reason: 'behind-head', headSeq: 10, lastSeq: 7 } });
});

t.test('a garbled last line is quarantined on open and reported as a loss', async (t) => {
  const { dir, file } = await filled(5);
  await rewrite(file, (lines) => [...lines.slice(0, 4), 'garbage where record five was']);
  const log = await AuditLog.open(dir, KEY);
  await log.close();
  t.match(await verifyChain(dir, KEY), { ok: false, firstBroken: { reason: 'truncated' } });
  t.equal((await readdir(dir)).filter((f) => f.endsWith('.fragment')).length, 1, 'the garbled bytes are kept in quarantine');
});

t.test('a head whose signature does not hold is reported', async (t) => {
  const { dir } = await filled(3);
  const head = JSON.parse(await readFile(join(dir, 'head.json'), 'utf8'));
  await writeFile(join(dir, 'head.json'), JSON.stringify({ ...head, seq: 2 }));
  t.match(await verifyChain(dir, KEY), { ok: false, firstBroken: { reason: 'head' } });
});


/** A disk step the test finishes by hand: each call is kept with its argument. */
function held<A>() {
  const calls: Array<{ arg: A; finish: (err?: Error) => void }> = [];
  const fn = (arg: A) => new Promise<void>((resolve, reject) => { calls.push({ arg, finish: (err) => (err ? reject(err) : resolve()) }); });
  return { calls, fn };
}

t.test('records arriving during an fsync share the next write and fsync, in the order they came', async (t) => {
  const dir = await scratch();
  const syncs = held<FileHandle>();
  const log = await AuditLog.open(dir, KEY, { seams: { sync: async (fh) => { await syncs.fn(fh); await fh.sync(); } } });
  const first = log.record({ actor: 'a', action: 'first' });
  await waitUntil(() => syncs.calls.length === 1, 'the first fsync');
  const rest = Array.from({ length: 50 }, (_, i) => log.record({ actor: 'a', action: 'next', detail: { i } }));
  syncs.calls[0]!.finish();
  await first;
  await waitUntil(() => syncs.calls.length === 2, 'the second fsync');
  syncs.calls[1]!.finish();
  const records = await Promise.all(rest);
  t.equal(syncs.calls.length, 2, 'fifty-one records, two fsyncs');
  t.same(records.map((r) => r.detail.i), Array.from({ length: 50 }, (_, i) => i), 'seq follows the order of the calls');
  t.same(records.map((r) => r.seq), Array.from({ length: 50 }, (_, i) => i + 2));
  await log.close();
  t.match(await verifyChain(dir, KEY), { ok: true, records: 51, head: { seq: 51 } });
});

t.test('a failed fsync rejects every record of its batch, and the chain goes on whole after it', async (t) => {
  const dir = await scratch();
  const syncs = held<FileHandle>();
  const log = await AuditLog.open(dir, KEY, { seams: { sync: async (fh) => { await syncs.fn(fh); await fh.sync(); } } });
  const first = log.record({ actor: 'a', action: 'kept' });
  await waitUntil(() => syncs.calls.length === 1, 'the first fsync');
  const lost = Array.from({ length: 5 }, (_, i) => log.record({ actor: 'a', action: 'lost', detail: { i } }));
  syncs.calls[0]!.finish();
  await first;
  await waitUntil(() => syncs.calls.length === 2, 'the second fsync');
  const boom = new Error('EIO');
  syncs.calls[1]!.finish(boom);
  const results = await Promise.allSettled(lost);
  t.ok(results.every((r) => r.status === 'rejected' && r.reason === boom), 'each caller sees the error');
  const after = log.record({ actor: 'a', action: 'after' });
  await waitUntil(() => syncs.calls.length === 3, 'the third fsync');
  syncs.calls[2]!.finish();
  t.equal((await after).seq, 2, 'the chain continues from the last durable record');
  await log.close();
  t.match(await verifyChain(dir, KEY), { ok: true, records: 2 });
});

t.test('records are acknowledged without waiting for the signed head, and heads asked for meanwhile collapse into one', async (t) => {
  const dir = await scratch();
  const heads = held<{ seq: number; hash: string }>();
  const log = await AuditLog.open(dir, KEY, { seams: { writeHead: heads.fn } });
  let acknowledged = 0;
  const one = log.record({ actor: 'a', action: 'one' }).then((r) => { acknowledged++; return r; });
  await waitUntil(() => heads.calls.length === 1, 'the first head write');
  await waitUntil(() => acknowledged === 1, 'the first record acknowledged while its head is still being written');
  t.equal((await one).seq, 1);
  t.equal(heads.calls[0]!.arg.seq, 1);
  for (let i = 0; i < 3; i++) await log.record({ actor: 'a', action: 'more', detail: { i } });
  t.equal(heads.calls.length, 1, 'no second head write while the first runs');
  heads.calls[0]!.finish();
  await waitUntil(() => heads.calls.length === 2, 'the collapsed head write');
  t.same(heads.calls[1]!.arg, log.position, 'it names the newest durable record');
  t.equal(heads.calls[1]!.arg.seq, 4);
  let closed = false;
  const closing = log.close().then(() => { closed = true; });
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  t.notOk(closed, 'close waits for the head');
  heads.calls[1]!.finish();
  await closing;
  t.equal(heads.calls.length, 2);
  t.match(await verifyChain(dir, KEY), { ok: true, records: 4 });
});
