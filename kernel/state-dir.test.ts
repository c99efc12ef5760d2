import t from 'tap';
import { mkdtemp, readFile, readdir, stat, chmod, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { atomicWrite, atomicWriteJson, appendLineDurable, ensureStateDir, parseJsonLines, readJsonIfExists } from './state-dir.js';

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
  for (let i = 0; i < 5; i++) await appendLineDurable(file, JSON.stringify({ i }));
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
  await appendLineDurable(join(root, 'c', 'log.jsonl'), '{"i":1}');
  t.equal(await readFile(join(root, 'c', 'log.jsonl'), 'utf8'), '{"i":1}\n');
  t.equal((await stat(join(root, 'c'))).mode & 0o777, 0o700);
});
