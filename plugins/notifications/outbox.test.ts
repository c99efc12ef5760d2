import t from 'tap';
import { appendFile, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Outbox, type OutboxEntry } from './outbox.js';

const entry = (i: number): OutboxEntry => ({
  channel: 'webhook:0', state: 'pending', attempts: 0, acceptedAt: new Date().toISOString(),
  delivery: { deliveryId: `d-${i}`, eventId: `e-${i}`, type: 'session.exited', at: new Date().toISOString(), sessionId: `s-${i}`, data: { i } },
});
const file = async () => join(await mkdtemp(join(tmpdir(), 'aegis-outbox-unit-')), 'outbox.jsonl');
const lines = async (f: string) => (await readFile(f, 'utf8')).split('\n').filter(Boolean);

t.test('a line torn by a crash is dropped on open and the file rewritten whole', async (t) => {
  const f = await file();
  const a = await Outbox.open(f, { deadLetterLimit: 10 });
  await a.add([entry(1), entry(2)]);
  await a.attempted('d-2', 1, 'boom', 500);
  await a.close();
  await appendFile(f, '{"op":"done","id":"d-1"');
  const b = await Outbox.open(f, { deadLetterLimit: 10 });
  t.same(b.pending().map((e) => e.delivery.deliveryId), ['d-1', 'd-2'], 'the torn record did not count');
  t.match(b.get('d-2'), { attempts: 1, lastError: 'boom', lastStatus: 500 });
  for (const l of await lines(f)) t.doesNotThrow(() => JSON.parse(l));
  await b.close();
});

t.test('delivered entries are compacted away; dead letters and pending ones survive a reopen', async (t) => {
  const f = await file();
  const box = await Outbox.open(f, { deadLetterLimit: 10 });
  await box.add(Array.from({ length: 700 }, (_, i) => entry(i)));
  await Promise.all(Array.from({ length: 698 }, (_, i) => box.delivered(`d-${i}`)));
  await box.deadLettered('d-698', 'attempts', 8, 'gave up', 503);
  await box.close();
  t.ok((await lines(f)).length <= 4, 'the file holds little more than the two live entries');
  const again = await Outbox.open(f, { deadLetterLimit: 10 });
  t.same(again.dead().map((e) => e.delivery.deliveryId), ['d-698']);
  t.same(again.pending().map((e) => e.delivery.deliveryId), ['d-699']);
  await again.revive('d-698');
  t.match(again.get('d-698'), { state: 'pending', attempts: 0 });
  await again.close();
});

t.test('past deadLetterLimit the oldest dead letters are dropped', async (t) => {
  const f = await file();
  const box = await Outbox.open(f, { deadLetterLimit: 2 });
  await box.add([entry(1), entry(2), entry(3)]);
  for (const i of [1, 2, 3]) await box.deadLettered(`d-${i}`, 'permanent', 1);
  await box.close();
  const again = await Outbox.open(f, { deadLetterLimit: 2 });
  t.same(again.dead().map((e) => e.delivery.deliveryId), ['d-2', 'd-3']);
  await again.close();
});
