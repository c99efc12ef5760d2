import t from 'tap';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { CastRecorder, exportCast } from './recording.js';
import { cleanup, makeApp, waitForText, waitState } from './test-helpers.js';

const parse = (cast: string) => {
  const [head, ...rest] = cast.trim().split('\n');
  return { header: JSON.parse(head!), events: rest.map((l) => JSON.parse(l) as [number, string, string]) };
};

t.test('every session\'s PTY output is exported as asciicast v2 with increasing times', async (t) => {
  const h = await makeApp();
  t.teardown(async () => { await h.app.close(); await cleanup(h.stateDir, h.work); });
  const id = (await h.inject('POST', '/v1/sessions', { workDir: h.work, agent: 'command' })).json.id as string;
  await waitState(h.app, id, 'idle');
  await h.inject('POST', `/v1/sessions/${id}/send`, { text: 'recorded line' });
  await waitForText(h.app, id, /got:recorded line/);
  const res = await h.inject('GET', `/v1/sessions/${id}/recording.cast`);
  t.equal(res.status, 200);
  t.match(res.raw, /^\{"version":2/);
  const { header, events } = parse(res.raw);
  t.match(header, { version: 2, width: 120, height: 40 });
  t.type(header.timestamp, 'number');
  const output = events.filter((e) => e[1] === 'o').map((e) => e[2]).join('');
  t.match(output, /ready/);
  t.match(output, /got:recorded line/);
  t.ok(events.every((e, i) => i === 0 || e[0] >= events[i - 1]![0]), 'times never go back');
  const unknown = await h.inject('GET', '/v1/sessions/nope/recording.cast');
  t.equal(unknown.json.code, 'AEGIS_ERR_SESSION_NOT_FOUND');
});

t.test('with recording off there is nothing to export', async (t) => {
  const h = await makeApp({ sessions: { recordingMaxBytes: 0 } });
  t.teardown(async () => { await h.app.close(); await cleanup(h.stateDir, h.work); });
  const id = (await h.inject('POST', '/v1/sessions', { workDir: h.work, agent: 'command' })).json.id as string;
  await waitState(h.app, id, 'idle');
  const res = await h.inject('GET', `/v1/sessions/${id}/recording.cast`);
  t.equal(res.status, 404);
  t.equal(res.json.code, 'AEGIS_ERR_SESSION_NO_RECORDING');
});

t.test('a recording past its size is rotated, one generation kept, and export joins both on one clock', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'aegis-cast-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const rec = new CastRecorder(dir, 2000, pino({ level: 'silent' }));
  rec.open(80, 24);
  for (let i = 0; i < 100; i++) rec.output(`line ${i} ${'x'.repeat(40)}\r\n`);
  rec.close();
  await rec.flush();
  const files = (await readdir(dir)).sort();
  t.same(files, ['recording.1.cast', 'recording.cast']);
  for (const f of files) t.ok((await readFile(join(dir, f))).length < 2200, `${f} stays near the bound`);
  const { header, events } = parse((await exportCast(dir))!);
  t.equal(header.version, 2);
  const text = events.map((e) => e[2]).join('');
  t.match(text, /line 99 /, 'the newest output is there');
  t.notMatch(text, /line 0 /, 'the oldest generation was dropped');
  const nums = [...text.matchAll(/line (\d+) /g)].map((m) => Number(m[1]));
  t.same(nums, [...nums].sort((a, b) => a - b), 'in order across the two files');
});

t.test('a torn last line (a crash mid-write) is skipped and a restart appends on the same clock', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'aegis-cast-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const log = pino({ level: 'silent' });
  const a = new CastRecorder(dir, 1 << 20, log);
  a.open(80, 24);
  a.output('before\r\n');
  a.close();
  await a.flush();
  const { appendFile } = await import('node:fs/promises');
  await appendFile(join(dir, 'recording.cast'), '[0.5, "o", "tor');
  const b = new CastRecorder(dir, 1 << 20, log);
  b.open(100, 30);
  b.output('after\r\n');
  b.close();
  await b.flush();
  const { header, events } = parse((await exportCast(dir))!);
  t.match(header, { width: 80, height: 24 });
  t.same(events.map((e) => e[2]), ['before\r\n', '100x30', 'after\r\n']);
});

t.test('recording never writes on the caller\'s turn: events queue with their times and reach the file in order on flush', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'aegis-cast-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const rec = new CastRecorder(dir, 1 << 20, pino({ level: 'silent' }));
  rec.open(80, 24);
  for (let i = 0; i < 50; i++) rec.output(`chunk ${i}\r\n`);
  rec.resize(100, 30);
  rec.output('last\r\n');
  t.equal(await exportCast(dir), undefined, 'nothing is in the folder before the writer has run');
  await rec.flush();
  const { header, events } = parse((await exportCast(dir))!);
  t.match(header, { width: 80, height: 24 });
  t.same(events.map((e) => e[2]), [...Array.from({ length: 50 }, (_, i) => `chunk ${i}\r\n`), '100x30', 'last\r\n']);
  t.ok(events.every((e, i) => i === 0 || e[0] >= events[i - 1]![0]), 'times never go back');
});

t.test('a recording that cannot be written stops quietly and later events are ignored', async (t) => {
  const dir = join(tmpdir(), `aegis-cast-missing-${process.pid}`, 'nested');
  const warnings: string[] = [];
  const log = pino({ level: 'warn' }, { write: (line: string) => { warnings.push(line); } });
  const rec = new CastRecorder(dir, 1 << 20, log);
  rec.open(80, 24);
  rec.output('lost\r\n');
  await rec.flush();
  rec.output('ignored\r\n');
  await rec.flush();
  t.equal(warnings.filter((l) => l.includes('recording stopped')).length, 1, 'one warning, no throw');
  t.equal(await exportCast(dir), undefined);
});
