import t from 'tap';
import { mkdtemp, readFile, readdir, readlink, stat, chmod, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { atomicWrite, atomicWriteJson, DurableAppender, ensureStateDir, parseJsonLines, readJsonIfExists } from './state-dir.js';
import { DirSyncer } from './dir-sync.js';

t.test('the state directory is created 0700 and an open one is tightened', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'aegis-sd-'));
  const dir = join(root, 'state');
  await ensureStateDir(dir);
  t.equal((await stat(dir)).mode & 0o777, 0o700);
  const open = join(root, 'open');
  await mkdir(open);
  await chmod(open, 0o755);
  await ensureStateDir(open);
  t.equal((await stat(open)).mode & 0o777, 0o700);
});

t.test('an atomic write replaces the file whole, 0600, leaving no temp file behind', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'aegis-sd-'));
  const file = join(dir, 'record.json');
  await atomicWriteJson(file, { a: 1 });
  await atomicWriteJson(file, { a: 2, b: 'two' });
  t.same(await readJsonIfExists(file), { a: 2, b: 'two' });
  t.equal((await stat(file)).mode & 0o777, 0o600);
  t.same(await readdir(dir), ['record.json']);
  t.equal(await readJsonIfExists(join(dir, 'missing.json')), undefined);
});

t.test('concurrent atomic writes never leave a torn file', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'aegis-sd-'));
  const file = join(dir, 'x.json');
  const values = Array.from({ length: 20 }, (_, i) => ({ i, pad: 'x'.repeat(1000 * (i + 1)) }));
  await Promise.all(values.map((v) => atomicWriteJson(file, v)));
  const final = JSON.parse(await readFile(file, 'utf8')) as { i: number; pad: string };
  t.equal(final.pad.length, 1000 * (final.i + 1), 'the file is one complete version');
  t.same((await readdir(dir)).filter((f) => f.endsWith('.tmp')), []);
});

t.test('durable appends add whole lines in order', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'aegis-sd-'));
  const file = join(dir, 'log.jsonl');
  const out = new DurableAppender(file);
  for (let i = 0; i < 5; i++) await out.append(JSON.stringify({ i }));
  await out.close();
  await atomicWrite(join(dir, 'other'), 'x');
  const lines = (await readFile(file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l).i);
  t.same(lines, [0, 1, 2, 3, 4]);
  t.equal((await stat(file)).mode & 0o777, 0o600);
});

t.test('reading JSON lines skips blank, torn and non-object lines and keeps the rest in order', async (t) => {
  const text = '{"a":1}\n\n[1,2]\n"str"\n{"a":2}\n{"a":3,"b":';
  t.same(parseJsonLines(text), [{ a: 1 }, { a: 2 }]);
});

t.test('an atomic write or a durable append into a missing folder creates it, 0700', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'aegis-sd-'));
  await atomicWriteJson(join(root, 'a', 'b', 'r.json'), { ok: 1 });
  t.same(await readJsonIfExists(join(root, 'a', 'b', 'r.json')), { ok: 1 });
  t.equal((await stat(join(root, 'a', 'b'))).mode & 0o777, 0o700);
  const out = new DurableAppender(join(root, 'c', 'log.jsonl'));
  await out.append('{"i":1}');
  await out.close();
  t.equal(await readFile(join(root, 'c', 'log.jsonl'), 'utf8'), '{"i":1}\n');
  t.equal((await stat(join(root, 'c'))).mode & 0o777, 0o700);
});

/** How many of this process's descriptors name `file`. */
async function openCount(file: string): Promise<number> {
  let n = 0;
  for (const fd of await readdir('/proc/self/fd')) {
    if (await readlink(`/proc/self/fd/${fd}`).catch(() => '') === file) n++;
  }
  return n;
}

t.test('a durable appender keeps one file open across appends, syncs a new file\'s folder once, and reopens after close', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'aegis-appender-'));
  const file = join(dir, 'nested', 'log.jsonl');
  const synced: string[] = [];
  const out = new DurableAppender(file, 60_000, 0o600, new DirSyncer(async (d) => { synced.push(d); }));
  await out.append('{"n":1}');
  await out.append('{"n":2}\n');
  t.equal(await openCount(file), 1, 'one descriptor between appends, not one per append');
  t.same(synced, [join(dir, 'nested')], 'the new file\'s folder was synced, once');
  await out.close();
  t.equal(await openCount(file), 0, 'close lets go of it');
  await out.append('{"n":3}');
  t.same(parseJsonLines(await readFile(file, 'utf8')), [{ n: 1 }, { n: 2 }, { n: 3 }], 'every append in order, one per line');
  t.equal(synced.length, 1, 'reopening an existing file syncs no folder');
  t.equal((await stat(file)).mode & 0o777, 0o600);
  await out.close();
});
