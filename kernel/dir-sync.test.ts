import t from 'tap';
import { waitUntil } from '../test/support/wait.js';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DirSyncer, fsyncDirOnce } from './dir-sync.js';
import { DurableAppender, atomicWrite } from './state-dir.js';

/** An fsync stand-in that counts calls and finishes each one only when the test says so. */
function heldFsync(real?: (dir: string) => Promise<void>) {
  const calls: Array<{ dir: string; finish: (err?: Error) => void }> = [];
  const fsync = (dir: string) => new Promise<void>((resolve, reject) => {
    calls.push({ dir, finish: (err) => (err ? reject(err) : real ? real(dir).then(resolve, reject) : resolve()) });
  });
  return { calls, fsync };
}


const settled = (p: Promise<unknown>) => {
  const s = { done: false, err: undefined as unknown };
  p.then(() => { s.done = true; }, (err) => { s.done = true; s.err = err; });
  return s;
};

t.test('callers that ask while a directory fsync runs all share the next one', async (t) => {
  const { calls, fsync } = heldFsync();
  const syncer = new DirSyncer(fsync);
  const first = settled(syncer.sync('/d'));
  const later = Array.from({ length: 10 }, () => settled(syncer.sync('/d')));
  t.equal(calls.length, 1, 'one fsync runs');
  t.equal(syncer.waiting('/d'), 10, 'the others wait for the next');
  calls[0]!.finish();
  await waitUntil(() => first.done && calls.length === 2, 'the second fsync');
  t.notOk(later.some((s) => s.done), 'the callers who came during the first are not covered by it');
  calls[1]!.finish();
  await waitUntil(() => later.every((s) => s.done), 'every caller');
  t.equal(calls.length, 2, 'eleven callers, two fsyncs');
  t.notOk([first, ...later].some((s) => s.err));
  t.equal(syncer.waiting('/d'), 0);
});

t.test('folders are synced separately', async (t) => {
  const { calls, fsync } = heldFsync();
  const syncer = new DirSyncer(fsync);
  const a = syncer.sync('/a');
  const b = syncer.sync('/b');
  t.same(calls.map((c) => c.dir), ['/a', '/b']);
  for (const c of calls) c.finish();
  await Promise.all([a, b]);
});

t.test('a failed fsync rejects every caller it covered, and the next caller gets a fresh one', async (t) => {
  const { calls, fsync } = heldFsync();
  const syncer = new DirSyncer(fsync);
  const first = syncer.sync('/d');
  const covered = Array.from({ length: 5 }, () => syncer.sync('/d'));
  calls[0]!.finish();
  await first;
  await waitUntil(() => calls.length === 2, 'the second fsync');
  const boom = Object.assign(new Error('EIO'), { code: 'EIO' });
  calls[1]!.finish(boom);
  const results = await Promise.allSettled(covered);
  t.same(results.map((r) => r.status), Array(5).fill('rejected'));
  t.ok(results.every((r) => r.status === 'rejected' && r.reason === boom), 'each waiter sees the error');
  const after = syncer.sync('/d');
  t.equal(calls.length, 3);
  calls[2]!.finish();
  await after;
});

t.test('concurrent atomic writes into one folder are each whole and durable, with two directory fsyncs', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'aegis-dirsync-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const { calls, fsync } = heldFsync(fsyncDirOnce);
  const syncer = new DirSyncer(fsync);
  const writes = Array.from({ length: 20 }, (_, i) => atomicWrite(join(dir, `r${i}.json`), JSON.stringify({ i, pad: 'x'.repeat(100 * i) }), 0o600, syncer));
  await waitUntil(() => calls.length === 1 && syncer.waiting(dir) === 19, 'nineteen writes behind the first fsync');
  calls[0]!.finish();
  await waitUntil(() => calls.length === 2, 'the second fsync');
  calls[1]!.finish();
  await Promise.all(writes);
  t.equal(calls.length, 2, 'twenty renames, two directory fsyncs');
  for (let i = 0; i < 20; i++) t.same(JSON.parse(await readFile(join(dir, `r${i}.json`), 'utf8')), { i, pad: 'x'.repeat(100 * i) });
  t.same((await readdir(dir)).filter((f) => f.endsWith('.tmp')), [], 'no temp file is left');
});

t.test('a failed directory fsync fails every atomic write it covered', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'aegis-dirsync-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const boom = new Error('EIO');
  const syncer = new DirSyncer(async () => { throw boom; });
  const results = await Promise.allSettled(Array.from({ length: 4 }, (_, i) => atomicWrite(join(dir, `f${i}`), 'x', 0o600, syncer)));
  t.ok(results.every((r) => r.status === 'rejected' && r.reason === boom));
});

t.test('the first durable append to a file also syncs its folder, later ones do not', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'aegis-dirsync-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const synced: string[] = [];
  const syncer = new DirSyncer(async (d) => { synced.push(d); await fsyncDirOnce(d); });
  const file = join(dir, 'log.jsonl');
  const out = new DurableAppender(file, 60_000, 0o600, syncer);
  await out.append('{"a":1}');
  await out.close();
  t.same(synced, [dir], 'the new file\'s entry is made durable');
  await out.append('{"a":2}');
  await out.close();
  t.same(synced, [dir], 'an existing file needs no folder fsync');
  t.equal(await readFile(file, 'utf8'), '{"a":1}\n{"a":2}\n');
});
