import t from 'tap';
import { createHmac } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bearer, buildTestApp } from '../../test/support/app.js';
import { startReceiver } from '../../test/support/receiver.js';
import { webhookChannelName } from '../notify-webhook/index.js';
import { channelApp, exited, next } from '../../test/support/channels.js';

const SECRET = 'whsec-test-0123456789abcdef';

const verify = (headers: Record<string, unknown>, body: string) => {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(headers['x-aegis-signature']));
  return !!m && createHmac('sha256', SECRET).update(`${m[1]}.${body}`).digest('hex') === m[2];
};

t.test('a webhook gets the signed JSON body with event and delivery headers', async (t) => {
  const rx = await startReceiver();
  t.teardown(() => rx.close());
  const app = await channelApp(t, { 'notify-webhook': { endpoints: [{ url: rx.url + '/hook', secret: SECRET, events: ['session.exited'], headers: { 'X-Team': 'blue' } }], allowPrivate: true } });
  app.events.emit('session.state-changed', { sessionId: 's-0', at: new Date().toISOString(), from: 'idle', to: 'working', cause: 'test' });
  app.events.emit('session.exited', exited('s-1', { tenantId: 'acme', reason: 'done' }));
  const got = await rx.waitFor(() => true);
  t.equal(got.path, '/hook');
  t.equal(got.headers['content-type'], 'application/json');
  t.equal(got.headers['x-aegis-event'], 'session.exited');
  t.equal(got.headers['x-team'], 'blue');
  t.ok(verify(got.headers, got.body), 'X-Aegis-Signature is HMAC-SHA256(secret, "<t>.<raw body>")');
  t.same(Object.keys(got.json).sort(), ['at', 'data', 'id', 'sessionId', 'tenantId', 'type']);
  t.match(got.json, { type: 'session.exited', sessionId: 's-1', tenantId: 'acme', data: { exitCode: 0, reason: 'done' } });
  t.equal(got.json.id, got.headers['x-aegis-delivery']);
  await next(app, 'notification.delivered');
  t.equal(rx.requests.length, 1, 'the filtered-out event was not sent');
});

t.test('a receiver that fails then recovers gets the same delivery id on every retry, and the delivery is reported once', async (t) => {
  const rx = await startReceiver();
  t.teardown(() => rx.close());
  rx.answer((_r, n) => (n <= 2 ? { status: 500 } : { status: 204 }));
  const app = await channelApp(t, { 'notify-webhook': { endpoints: [{ url: rx.url, secret: SECRET }], allowPrivate: true } });
  const failures: number[] = [];
  app.events.on('notification.failed', (p) => failures.push(p.attempt));
  const delivered = next(app, 'notification.delivered');
  app.events.emit('session.exited', exited('s-2'));
  const d = await delivered;
  t.equal(d.attempts, 3);
  t.same(failures, [1, 2]);
  t.same(new Set(rx.requests.map((r) => r.headers['x-aegis-delivery'])).size, 1, 'one delivery id across retries');
  t.ok(rx.requests.every((r) => verify(r.headers, r.body)), 'each attempt is signed afresh');
});

t.test('429 with Retry-After holds the channel at least that long before the next attempt', async (t) => {
  const rx = await startReceiver();
  t.teardown(() => rx.close());
  rx.answer((_r, n) => (n === 1 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 }));
  const app = await channelApp(t, { 'notify-webhook': { endpoints: [{ url: rx.url, secret: SECRET }], allowPrivate: true } });
  const failed = next(app, 'notification.failed');
  app.events.emit('session.exited', exited('s-3'));
  t.match(await failed, { status: 429, final: false });
  t.ok((await failed).retryInMs! >= 1000, 'the retry waits for Retry-After, not the 10 ms backoff');
  await next(app, 'notification.delivered');
  t.equal(rx.requests.length, 2);
  t.ok(rx.requests[1].at - rx.requests[0].at >= 950, 'the second attempt came after Retry-After');
});

t.test('a 4xx is dead-lettered at once; the admin lists it and redelivers it once the receiver is fixed', async (t) => {
  const rx = await startReceiver();
  t.teardown(() => rx.close());
  rx.answer(() => ({ status: 410 }));
  const app = await channelApp(t, { 'notify-webhook': { endpoints: [{ url: rx.url, secret: SECRET }], allowPrivate: true } });
  const dead = next(app, 'notification.dead-lettered');
  app.events.emit('session.exited', exited('s-4', { reason: 'token sk-ant-api03-abcdefghijklmnop' }));
  t.match(await dead, { reason: 'permanent', attempts: 1, status: 410 });
  const list = await app.inject({ method: 'GET', url: '/v1/notifications/dead-letter', headers: bearer() });
  t.equal(list.statusCode, 200);
  t.equal(list.json().total, 1);
  const entry = list.json().entries[0];
  t.match(entry, { channel: webhookChannelName(rx.url), type: 'session.exited', sessionId: 's-4', reason: 'permanent', lastStatus: 410 });
  t.notMatch(JSON.stringify(entry), /sk-ant-api03/, 'the stored payload is scrubbed');

  const operatorKey = (await app.inject({ method: 'POST', url: '/v1/auth/keys', headers: bearer(), payload: { name: 'v', role: 'operator' } })).json().key;
  const denied = await app.inject({ method: 'GET', url: '/v1/notifications/dead-letter', headers: bearer(operatorKey) });
  t.equal(denied.statusCode, 403, 'an operator may not read the dead-letter queue');
  t.equal(denied.json().code, 'AEGIS_ERR_AUTH_FORBIDDEN');
  const unknown = await app.inject({ method: 'POST', url: '/v1/notifications/dead-letter/nope/redeliver', headers: bearer() });
  t.equal(unknown.json().code, 'AEGIS_ERR_NOTIFY_DEAD_LETTER_NOT_FOUND');

  rx.answer(() => ({ status: 200 }));
  const delivered = next(app, 'notification.delivered');
  const re = await app.inject({ method: 'POST', url: `/v1/notifications/dead-letter/${entry.id}/redeliver`, headers: bearer() });
  t.equal(re.statusCode, 202);
  t.equal((await delivered).deliveryId, entry.id);
  t.equal(rx.requests.at(-1)!.headers['x-aegis-delivery'], entry.id, 'the same delivery id as before');
  t.equal((await app.inject({ method: 'GET', url: '/v1/notifications/dead-letter', headers: bearer() })).json().total, 0);
});

t.test('after maxAttempts failures the delivery is dead-lettered with the last error', async (t) => {
  const rx = await startReceiver();
  t.teardown(() => rx.close());
  rx.answer(() => ({ status: 503 }));
  const app = await channelApp(t, { 'notify-webhook': { endpoints: [{ url: rx.url, secret: SECRET }], allowPrivate: true } }, { notifications: { maxAttempts: 3, breakerThreshold: 100 } });
  const dead = next(app, 'notification.dead-lettered');
  app.events.emit('session.exited', exited('s-5'));
  t.match(await dead, { reason: 'attempts', attempts: 3, status: 503 });
  t.equal(rx.requests.length, 3);
});

t.test('the circuit breaker opens after repeated failures, holds deliveries, and closes when a trial succeeds', async (t) => {
  const rx = await startReceiver();
  t.teardown(() => rx.close());
  rx.answer(() => ({ status: 500 }));
  const app = await channelApp(t, { 'notify-webhook': { endpoints: [{ url: rx.url, secret: SECRET }], allowPrivate: true } },
    { notifications: { breakerThreshold: 2, breakerCooldownMs: 400, maxAttempts: 50, concurrency: 1 } });
  const opened = next(app, 'notification.circuit-opened');
  app.events.emit('session.exited', exited('s-6'));
  await opened;
  const seenWhenOpened = rx.requests.length;
  t.equal(app.notifications.breakerState(webhookChannelName(rx.url)), 'open');
  rx.answer(() => ({ status: 200 }));
  const closed = next(app, 'notification.circuit-closed');
  await next(app, 'notification.delivered');
  await closed;
  t.equal(rx.requests.length, seenWhenOpened + 1, 'exactly one trial after the cooldown, and it succeeded');
  t.equal(app.notifications.breakerState(webhookChannelName(rx.url)), 'closed');
});

t.test('an attempt that takes longer than hookTimeoutMs fails as timed out and is retried', async (t) => {
  const rx = await startReceiver();
  t.teardown(() => rx.close());
  rx.answer((_r, n) => (n === 1 ? 'hang' : { status: 200 }));
  const app = await channelApp(t, { 'notify-webhook': { endpoints: [{ url: rx.url, secret: SECRET }], allowPrivate: true } }, { notifications: { hookTimeoutMs: 200 } });
  const failed = next(app, 'notification.failed');
  app.events.emit('session.exited', exited('s-7'));
  t.match(await failed, { error: /timed out/, final: false });
  t.equal((await next(app, 'notification.delivered')).attempts, 2);
});

t.test('without allowPrivate a loopback target is refused before anything is sent, and dead-lettered', async (t) => {
  const rx = await startReceiver();
  t.teardown(() => rx.close());
  const app = await channelApp(t, { 'notify-webhook': { endpoints: [{ url: rx.url, secret: SECRET }, { url: rx.url.replace('127.0.0.1', 'localhost'), secret: SECRET }] } });
  const dead: string[] = [];
  app.events.on('notification.dead-lettered', (p) => dead.push(p.error ?? ''));
  const both = Promise.all([next(app, 'notification.dead-lettered', (p) => p.channel === webhookChannelName(rx.url)), next(app, 'notification.dead-lettered', (p) => p.channel === webhookChannelName(rx.url.replace('127.0.0.1', 'localhost')))]);
  app.events.emit('session.exited', exited('s-8'));
  await both;
  t.match(dead.join('\n'), /private, loopback or link-local/);
  t.equal(rx.requests.length, 0, 'no request reached the receiver, by literal address or by name');
});

t.test('an event accepted while the receiver is down is delivered by the next server on the same state directory', async (t) => {
  const stateDir = await mkdtemp(join(tmpdir(), 'aegis-outbox-'));
  const rx = await startReceiver();
  t.teardown(() => rx.close());
  rx.answer(() => ({ status: 503, headers: { 'retry-after': '3600' } }));
  const endpoints = [{ url: rx.url, secret: SECRET }];
  const first = await channelApp(t, { 'notify-webhook': { endpoints, allowPrivate: true } }, { stateDir });
  const failed = next(first, 'notification.failed');
  first.events.emit('session.exited', exited('s-9'));
  const id = (await failed).deliveryId;
  await first.close();

  rx.answer(() => ({ status: 200 }));
  const second = await channelApp(t, { 'notify-webhook': { endpoints, allowPrivate: true } }, { stateDir });
  const got = await rx.waitFor((r) => r.status === 200);
  t.equal(got.headers['x-aegis-delivery'], id, 'the pending delivery went out with its id');
  t.equal(got.json.sessionId, 's-9');
  t.equal((await second.inject({ method: 'GET', url: '/v1/notifications/dead-letter', headers: bearer() })).json().total, 0);
});

t.test('a pending delivery whose channel is gone after a restart is dead-lettered, not dropped', async (t) => {
  const stateDir = await mkdtemp(join(tmpdir(), 'aegis-outbox-'));
  const rx = await startReceiver();
  t.teardown(() => rx.close());
  rx.answer(() => ({ status: 503, headers: { 'retry-after': '3600' } }));
  const first = await channelApp(t, { 'notify-webhook': { endpoints: [{ url: rx.url, secret: SECRET }], allowPrivate: true } }, { stateDir });
  const failed = next(first, 'notification.failed');
  first.events.emit('session.exited', exited('s-10'));
  await failed;
  await first.close();
  const second = await channelApp(t, { notifications: {} }, { stateDir });
  const list = (await second.inject({ method: 'GET', url: '/v1/notifications/dead-letter', headers: bearer() })).json();
  t.match(list, { total: 1, entries: [{ channel: webhookChannelName(rx.url), reason: 'channel-unknown', sessionId: 's-10' }] });
  const re = await second.inject({ method: 'POST', url: `/v1/notifications/dead-letter/${list.entries[0].id}/redeliver`, headers: bearer() });
  t.equal(re.statusCode, 409);
  t.equal(re.json().code, 'AEGIS_ERR_NOTIFY_CHANNEL_UNKNOWN');
});

t.test('AEGIS_HOOK_TIMEOUT_MS and AEGIS_DASHBOARD_URL reach the channel options through the env overlay', async (t) => {
  const rx = await startReceiver();
  t.teardown(() => rx.close());
  const app = await buildTestApp({
    env: { AEGIS_HOOK_TIMEOUT_MS: '1234', AEGIS_DASHBOARD_URL: 'https://ops.example/dash' },
    plugins: { 'notify-slack': { webhookUrl: rx.url, allowPrivate: true } },
  });
  t.teardown(() => app.close());
  await app.ready();
  t.equal(app.notifications.timeoutMs, 1234);
  app.events.emit('session.exited', exited('env-1'));
  const got = await rx.waitFor(() => true);
  t.match(JSON.stringify(got.json.blocks), /<https:\/\/ops\.example\/dash\/sessions\/env-1\|/);
});

t.test('an admin key of a tenant sees and redelivers only its tenant\'s dead letters', async (t) => {
  const rx = await startReceiver();
  t.teardown(() => rx.close());
  rx.answer(() => ({ status: 400 }));
  const app = await channelApp(t, { 'notify-webhook': { endpoints: [{ url: rx.url, secret: SECRET }], allowPrivate: true } });
  const both = new Promise<void>((resolve) => { let n = 0; app.events.on('notification.dead-lettered', () => { if (++n === 2) resolve(); }); });
  app.events.emit('session.exited', exited('ta-1', { tenantId: 'a' }));
  app.events.emit('session.exited', exited('tb-1', { tenantId: 'b' }));
  await both;
  const key = (await app.inject({ method: 'POST', url: '/v1/auth/keys', headers: bearer(), payload: { name: 'a-admin', role: 'admin', tenantId: 'a' } })).json().key;
  const mine = (await app.inject({ method: 'GET', url: '/v1/notifications/dead-letter', headers: bearer(key) })).json();
  t.match(mine, { total: 1, entries: [{ sessionId: 'ta-1', tenantId: 'a' }] });
  const all = (await app.inject({ method: 'GET', url: '/v1/notifications/dead-letter', headers: bearer() })).json();
  t.equal(all.total, 2, 'the master token sees both');
  const other = all.entries.find((e: any) => e.tenantId === 'b').id;
  const res = await app.inject({ method: 'POST', url: `/v1/notifications/dead-letter/${other}/redeliver`, headers: bearer(key) });
  t.equal(res.statusCode, 404);
  t.equal(res.json().code, 'AEGIS_ERR_NOTIFY_DEAD_LETTER_NOT_FOUND');
});

t.test('pending deliveries follow their endpoint\'s URL when the endpoint list is reordered across a restart', async (t) => {
  const stateDir = await mkdtemp(join(tmpdir(), 'aegis-outbox-'));
  const a = await startReceiver();
  const b = await startReceiver();
  t.teardown(() => Promise.all([a.close(), b.close()]));
  a.answer(() => ({ status: 503, headers: { 'retry-after': '3600' } }));
  const first = await channelApp(t, { 'notify-webhook': { endpoints: [{ url: a.url, secret: SECRET }, { url: b.url, secret: SECRET }], allowPrivate: true } }, { stateDir });
  const settled = Promise.all([next(first, 'notification.failed'), next(first, 'notification.delivered')]);
  first.events.emit('session.exited', exited('r-1'));
  await settled;
  await first.close();
  a.answer(() => ({ status: 200 }));
  await channelApp(t, { 'notify-webhook': { endpoints: [{ url: b.url, secret: SECRET }, { url: a.url, secret: SECRET }], allowPrivate: true } }, { stateDir });
  const got = await a.waitFor((r) => r.status === 200);
  t.equal(got.json.sessionId, 'r-1');
  t.equal(b.requests.length, 1, 'the other endpoint got its own delivery once, before the restart, and nothing more');
});

t.test('delivery outcomes are streamed event types when the sse plugin runs', async (t) => {
  const rx = await startReceiver();
  t.teardown(() => rx.close());
  const app = await channelApp(t, { 'notify-webhook': { endpoints: [{ url: rx.url + '/hook', secret: SECRET }], allowPrivate: true } });
  t.ok(app.hasDecorator('sse'), 'sse is on by default');
  for (const name of ['notification.delivered', 'notification.failed', 'notification.dead-lettered']) t.ok(app.sse.eventTypes().includes(name), name);
  const doc = (await app.inject({ method: 'GET', url: '/v1/openapi.json', headers: bearer() })).json();
  t.match(JSON.stringify(doc), /notification\.dead-lettered/, 'and listed in OpenAPI');
});
