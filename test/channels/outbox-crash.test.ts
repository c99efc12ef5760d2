import t from 'tap';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_TOKEN } from '../support/app.js';
import { startReceiver, type Received } from '../support/receiver.js';
import { startServer, type ServerProcess } from '../support/server-process.js';
import { pollUntil } from '../support/wait.js';

const SECRET = 'crash-test-webhook-secret-0001';

t.test('a webhook that fails, across a kill -9 of the server: every event arrives once by delivery id or waits in the dead-letter queue', async (t) => {
  const rx = await startReceiver();
  t.teardown(() => rx.close());
  const cwd = await mkdtemp(join(tmpdir(), 'aegis-crash-cfg-'));
  const stateDir = await mkdtemp(join(tmpdir(), 'aegis-crash-state-'));
  const work = await mkdtemp(join(tmpdir(), 'aegis-crash-work-'));
  t.teardown(async () => { for (const d of [cwd, stateDir, work]) await rm(d, { recursive: true, force: true }); });
  await writeFile(join(cwd, 'aegis.config.json'), JSON.stringify({
    version: 1,
    plugins: {
      command: { command: '/bin/sh', args: ['-c', 'sleep 20'], onRestart: 'exit' },
      notifications: { retryBaseMs: 50, retryMaxMs: 100, maxAttempts: 3, breakerThreshold: 1000 },
      'notify-webhook': { endpoints: [{ url: rx.url + '/hook', secret: SECRET, events: ['session.created'] }], allowPrivate: true },
    },
  }));
  const start = () => startServer({ cwd, stateDir, env: { AEGIS_AUTH_TOKEN: TEST_TOKEN, AEGIS_LOG_LEVEL: 'info' } });
  const api = (s: ServerProcess) => async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    const res = await fetch(s.url + path, {
      method, headers: { authorization: `Bearer ${TEST_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, json: await res.json() as any };
  };
  /** The other process's bus is not ours to subscribe to, so this asks at a short interval, bounded. */
  const deadLetters = async (call: ReturnType<typeof api>, count: number) => {
    let last: any;
    const ok = await pollUntil(async () => { last = (await call('GET', '/v1/notifications/dead-letter')).json; return last.total === count; }, 20000, 100);
    if (!ok) throw new Error(`dead letters: ${JSON.stringify(last)}`);
    return last.entries;
  };
  const create = async (call: ReturnType<typeof api>) => {
    const res = await call('POST', '/v1/sessions', { workDir: work, agent: 'command', reuse: false });
    t.equal(res.status, 201);
    return res.json.id as string;
  };

  const one = await start();
  t.teardown(() => one.stop('SIGKILL'));
  const call1 = api(one);

  // Phase 1: the receiver fails every attempt, so three events use up their attempts.
  rx.answer(() => ({ status: 500 }));
  const early = [await create(call1), await create(call1), await create(call1)];
  const dead = await deadLetters(call1, 3);
  t.same(dead.map((d: any) => d.data.sessionId).sort(), [...early].sort());
  t.ok(dead.every((d: any) => d.reason === 'attempts' && d.attempts === 3 && d.lastStatus === 500));

  // Phase 2: the receiver asks for an hour's wait; five events are pending when the server is killed.
  rx.answer(() => ({ status: 503, headers: { 'retry-after': '3600' } }));
  const late: string[] = [];
  for (let i = 0; i < 5; i++) late.push(await create(call1));
  await rx.waitCount((r) => r.status === 503, 5);
  const idsBefore = new Map(rx.requests.filter((r) => r.status === 503).map((r) => [r.json.sessionId as string, r.headers['x-aegis-delivery']]));
  one.proc.kill('SIGKILL');
  await one.exited;

  // Phase 3: the receiver recovers; the restarted server delivers what was pending, and the dead letters on request.
  rx.answer(() => ({ status: 200 }));
  const two = await start();
  t.teardown(() => two.stop('SIGKILL'));
  const call2 = api(two);
  const ok = (r: Received) => r.status === 200;
  await rx.waitCount((r) => ok(r) && late.includes(r.json.sessionId), 5);
  for (const id of late) {
    t.equal(rx.requests.find((r) => ok(r) && r.json.sessionId === id)!.headers['x-aegis-delivery'], idsBefore.get(id), 'the same delivery id across the crash');
  }
  for (const d of await deadLetters(call2, 3)) {
    t.equal((await call2('POST', `/v1/notifications/dead-letter/${d.id}/redeliver`)).status, 202);
  }
  await rx.waitCount(ok, 8);
  await deadLetters(call2, 0);

  const delivered = rx.requests.filter(ok);
  const byDelivery = new Map<string, Set<string>>();
  for (const r of delivered) byDelivery.set(String(r.headers['x-aegis-delivery']), (byDelivery.get(String(r.headers['x-aegis-delivery'])) ?? new Set()).add(r.json.sessionId));
  t.equal(byDelivery.size, 8, 'eight distinct deliveries reached the receiver');
  t.same([...byDelivery.values()].map((s) => [...s][0]).sort(), [...early, ...late].sort(), 'one per event, none lost');
  t.equal((await two.stop()).code, 0);
});
