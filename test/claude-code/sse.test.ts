import t from 'tap';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { bearer } from '../support/app.js';
import { openStream, type SseEvent } from '../support/sse-client.js';
import { reply } from '../support/model-server.js';
import { STATE_MS, makeApp, makeWorld } from './world.js';

const world = await makeWorld(t, 1);
const { app, call } = await makeApp(t, world);
const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;

/** A command that needs approval (it writes a file; read-only commands run without a prompt). */
const writeCommand = (file: string) => `node -e "require('fs').writeFileSync('${file}','x')"`;

t.test('two clients, one reconnecting with Last-Event-ID, receive every event once and in order across a real permission round trip', async (t) => {
  const work = world.trusted[0]!;
  const first = 'sse: write streamed.txt';
  world.conversations.script(first, [reply.bash(writeCommand('streamed.txt'), 'Write streamed.txt'), reply.text('wrote it')]);
  const steady = await openStream(`${base}/v1/events`, bearer());
  const token = (await call('POST', '/v1/auth/stream-token')).json.token as string;
  // The second client is a browser's: a stream token in the URL.
  const flaky = await openStream(`${base}/v1/events?token=${encodeURIComponent(token)}`, {});
  t.teardown(() => { steady.close(); flaky.close(); });
  t.equal(steady.status, 200);
  t.equal(flaky.status, 200);

  const id = (await call('POST', '/v1/sessions', { workDir: work, prompt: first })).json.id as string;
  const mine = (e: SseEvent) => e.data?.sessionId === id;
  const asked = await flaky.next((e) => mine(e) && e.event === 'permission.requested', STATE_MS);
  t.match(asked.data.permission, { kind: 'tool', tool: 'Bash', detail: writeCommand('streamed.txt') });
  const resumeAt = flaky.lastId()!;
  flaky.close();
  await flaky.ended;

  t.equal((await call('POST', `/v1/sessions/${id}/approve`, {})).status, 200);
  const done = await steady.next((e) => mine(e) && e.event === 'session.message' && e.data.role === 'assistant' && e.data.text === 'wrote it', STATE_MS);
  t.ok(existsSync(join(work, 'streamed.txt')), 'the approved command ran');

  const again = await openStream(`${base}/v1/events`, { ...bearer(), 'last-event-id': resumeAt });
  t.teardown(() => again.close());
  await again.next((e) => e.id === done.id, STATE_MS);

  const before = steady.events.filter((e) => Number(e.id) <= Number(done.id));
  const joined = [...flaky.events, ...again.events].filter((e) => Number(e.id) <= Number(done.id));
  t.notOk(again.events.some((e) => e.event === 'stream.truncated'), 'nothing was lost, so no truncation notice');
  t.same(joined.map((e) => e.id), before.map((e) => e.id), 'the reconnecting client saw exactly what the steady one saw');
  const nums = before.map((e) => Number(e.id));
  t.same(nums, [...nums].sort((a, b) => a - b), 'in order');
  t.equal(new Set(nums).size, nums.length, 'each once');
  t.same(joined.map((e) => e.event), before.map((e) => e.event));

  const types = before.filter(mine).map((e) => e.event);
  for (const type of ['session.created', 'session.state-changed', 'permission.requested', 'permission.resolved', 'session.message']) {
    t.ok(types.includes(type), `the round trip streamed ${type}`);
  }
  t.ok(types.indexOf('permission.requested') < types.indexOf('permission.resolved'), 'requested before resolved');
  const resolved = before.find((e) => mine(e) && e.event === 'permission.resolved')!;
  t.match(resolved.data, { decision: 'approved', actorId: 'master' });
  const toMessages = before.filter((e) => mine(e) && e.event === 'session.message').map((e) => e.data.role);
  t.ok(toMessages.includes('user') && toMessages.includes('tool_use'), `transcript entries streamed: ${toMessages.join(',')}`);
  await call('DELETE', `/v1/sessions/${id}`);
  await steady.next((e) => mine(e) && e.event === 'session.exited', STATE_MS);
});
