import t from 'tap';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { RecordWriter, SessionFiles } from './record-store.js';
import { cleanup } from './test-helpers.js';
import type { SessionRecord } from './types.js';

const log = pino({ level: 'silent' });

t.test('a burst of saves is coalesced and the last state always reaches the disk', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'aegis-records-'));
  t.teardown(() => cleanup(dir));
  const state = { n: 0 };
  let writes = 0;
  const writer = new RecordWriter(join(dir, 'r.json'), () => { writes++; return { ...state } as unknown as SessionRecord; }, log);
  const saves: Promise<void>[] = [];
  for (let i = 1; i <= 50; i++) { state.n = i; saves.push(writer.save()); }
  await Promise.all(saves);
  t.equal(JSON.parse(await readFile(join(dir, 'r.json'), 'utf8')).n, 50);
  t.ok(writes <= 3, `50 saves cost ${writes} writes`);
});

t.test('saved() waits for the write of the state saved so far, not for later saves', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'aegis-records-'));
  t.teardown(() => cleanup(dir));
  const file = join(dir, 'r.json');
  const state = { n: 0 };
  const writer = new RecordWriter(file, () => ({ ...state }) as unknown as SessionRecord, log);
  state.n = 1;
  void writer.save();
  const first = writer.saved();
  state.n = 2;
  const second = writer.save();
  let secondDone = false;
  void second.then(() => { secondDone = true; });
  await first;
  t.notOk(secondDone, 'resolved before the later write finished');
  await second;
  t.equal(JSON.parse(await readFile(file, 'utf8')).n, 2);
  await writer.flush();
  await writer.saved();
  t.pass('saved() with nothing pending resolves at once');
});

t.test('loading records skips unreadable files without deleting them', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'aegis-records-'));
  t.teardown(() => cleanup(dir));
  const files = new SessionFiles(dir);
  await writeFile(files.record('good'), JSON.stringify({ id: 'good', createdAt: '2024-01-01T00:00:00Z' }));
  await writeFile(files.record('bad'), '{ not json');
  await writeFile(files.record('other'), JSON.stringify({ id: 'mismatch', createdAt: '2024-01-01T00:00:00Z' }));
  const recs = await files.loadAll(log);
  t.same(recs.map((r) => r.id), ['good']);
  t.equal(await readFile(files.record('bad'), 'utf8'), '{ not json', 'the bad file is left for a human');
});

t.test('hook secrets are long, random, private and stable', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'aegis-records-'));
  t.teardown(() => cleanup(dir));
  const files = new SessionFiles(dir);
  const a = await files.newSecret('s1');
  t.ok(a.length >= 40);
  t.not(a, await files.newSecret('s2'));
  t.equal(await files.loadSecret('s1'), a);
  const { stat } = await import('node:fs/promises');
  t.equal((await stat(files.secret('s1'))).mode & 0o777, 0o600);
});

t.test('a save asked for in the turn a write loop ends starts a new write instead of joining the finished one', async (t) => {
  const state = { n: 1 };
  const written: number[] = [];
  const releases: Array<() => void> = [];
  const write = (_file: string, value: unknown) => new Promise<void>((resolve) => {
    written.push((value as { n: number }).n);
    releases.push(resolve);
  });
  const writer = new RecordWriter('/unused', () => ({ ...state }) as unknown as SessionRecord, log, write);
  const first = writer.save();
  t.same(written, [1]);
  let second: Promise<void> | undefined;
  // The loop resumes in the next microtask and ends; this save runs in the one right after.
  releases[0]!();
  queueMicrotask(() => { state.n = 2; second = writer.save(); });
  await first;
  t.same(written, [1, 2], 'the new state gets its own write');
  releases[1]!();
  await second;
  await writer.flush();
  t.same(written, [1, 2]);
});
