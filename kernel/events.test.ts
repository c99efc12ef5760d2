import t from 'tap';
import { EventBus } from './events.js';

t.test('listeners get typed payloads and onAny sees envelopes with increasing sequence numbers', async (t) => {
  const bus = new EventBus();
  const seen: string[] = [];
  const seqs: number[] = [];
  bus.on('server.draining', (p) => seen.push(p.at));
  bus.onAny((e) => seqs.push(e.seq));
  bus.emit('server.draining', { at: 'one' });
  bus.emit('server.draining', { at: 'two' });
  t.same(seen, ['one', 'two']);
  t.same(seqs, [1, 2]);
});

t.test('a throwing listener does not stop the others', async (t) => {
  const bus = new EventBus();
  let reached = false;
  bus.on('server.draining', () => { throw new Error('boom'); });
  bus.on('server.draining', () => { reached = true; });
  bus.emit('server.draining', { at: 'x' });
  t.equal(reached, true);
});

t.test('once resolves with the first matching payload and unsubscribes', async (t) => {
  const bus = new EventBus();
  const p = bus.once('server.draining', (e) => e.at === 'b');
  bus.emit('server.draining', { at: 'a' });
  bus.emit('server.draining', { at: 'b' });
  t.same(await p, { at: 'b' });
  t.equal(bus.listenerCount('server.draining'), 0);
});
