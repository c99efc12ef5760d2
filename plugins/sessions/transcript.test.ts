import t from 'tap';
import { appendFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { TranscriptLog, pageBefore, pageByOffset, parseTranscript } from './transcript.js';
import { cleanup } from './test-helpers.js';

const log = pino({ level: 'silent' });

t.test('appended entries get stable ids and indexes and survive reopening', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'aegis-transcript-'));
  t.teardown(() => cleanup(dir));
  const file = join(dir, 's.transcript.jsonl');
  const a = await TranscriptLog.open(file, log);
  const added = a.append([{ role: 'user', text: 'one' }, { role: 'assistant', text: 'two', id: 'msg-7' }]);
  t.same(added.map((e) => [e.id, e.index]), [['t-0', 0], ['msg-7', 1]]);
  t.equal(a.append([{ role: 'assistant', text: 'again', id: 'msg-7' }]).length, 0, 'a known id is not appended twice');
  await a.flush();
  const b = await TranscriptLog.open(file, log);
  t.equal(b.length, 2);
  b.append([{ role: 'user', text: 'three' }]);
  t.same((await b.read()).map((e) => e.id), ['t-0', 'msg-7', 't-2']);
});

t.test('a torn last line after a crash is skipped on read and cut before the next append', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'aegis-transcript-'));
  t.teardown(() => cleanup(dir));
  const file = join(dir, 's.transcript.jsonl');
  await writeFile(file, JSON.stringify({ id: 't-0', index: 0, role: 'user', text: 'whole' }) + '\n');
  await appendFile(file, '{"id":"t-1","index":1,"role":"user","te');
  t.same(parseTranscript(await readFile(file, 'utf8')).map((e) => e.text), ['whole'], 'readers skip it');
  const log2 = await TranscriptLog.open(file, log);
  log2.append([{ role: 'user', text: 'next' }]);
  const entries = await log2.read();
  t.same(entries.map((e) => [e.id, e.text]), [['t-0', 'whole'], ['t-1', 'next']]);
  t.ok((await readFile(file, 'utf8')).endsWith('\n'));
});

t.test('pages by offset with a role filter, and by cursor backwards', async (t) => {
  const entries = ['a', 'b', 'c', 'd', 'e'].map((text, index) => ({ id: `t-${index}`, index, text, role: index % 2 ? 'assistant' as const : 'user' as const }));
  t.same(pageByOffset(entries, 2, 1, 'user').entries.map((e) => e.text), ['c', 'e']);
  t.equal(pageByOffset(entries, 2, 1, 'user').total, 3);
  const last = pageBefore(entries, 2)!;
  t.same(last.entries.map((e) => e.text), ['d', 'e']);
  t.equal(last.before, 't-3');
  const prev = pageBefore(entries, 2, last.before)!;
  t.same(prev.entries.map((e) => e.text), ['b', 'c']);
  t.equal(pageBefore(entries, 5, 't-1')!.hasMore, false);
  t.equal(pageBefore(entries, 2, 'nope'), undefined);
});
