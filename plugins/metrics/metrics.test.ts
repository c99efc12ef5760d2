import t from 'tap';
import { mkdtemp, realpath } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { bearer, TEST_TOKEN } from '../../test/support/app.js';
import { parseExposition, sampleSum, sampleValue } from '../../test/support/prom-text.js';
import { CAT, createKey, testApp } from './test-helpers.js';
import type { SessionState } from '../sessions/index.js';

async function scrape(app: FastifyInstance, token = TEST_TOKEN) {
  const res = await app.inject({ method: 'GET', url: '/metrics', headers: bearer(token) });
  return { res, families: res.statusCode === 200 ? parseExposition(res.body) : undefined };
}

function waitState(app: FastifyInstance, id: string, state: SessionState) {
  if (app.sessions.get(id)?.status === state) return Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    app.events.once('session.state-changed', (p) => p.sessionId === id && p.to === state).then(() => undefined),
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${id} not ${state} in 10 s`)), 10000); }),
  ]).finally(() => clearTimeout(timer));
}

t.test('/metrics is valid exposition with Prometheus names, and its counters move as a session runs', async (t) => {
  const app = await testApp(t, { plugins: { metrics: {}, ...CAT } });
  const work = await realpath(await mkdtemp(join(tmpdir(), 'aegis-metrics-work-')));
  const before = (await scrape(app)).families!;
  t.equal(sampleValue(before, 'aegis_sessions_created_total', { agent: 'command' }), undefined, 'nothing created yet');
  t.equal(sampleValue(before, 'aegis_sessions', { agent: 'command', state: 'idle' }), 0, 'every state of every agent is listed, at 0');

  const created = await app.inject({ method: 'POST', url: '/v1/sessions', headers: bearer(), payload: { workDir: work, agent: 'command' } });
  t.equal(created.statusCode, 201);
  const id = created.json().id as string;
  await waitState(app, id, 'idle');
  t.equal((await app.inject({ method: 'POST', url: `/v1/sessions/${id}/send`, headers: bearer(), payload: { text: 'hello' } })).statusCode, 200);
  const live = (await scrape(app)).families!;
  const idleOrWorking = sampleValue(live, 'aegis_sessions', { agent: 'command', state: 'idle' })! + sampleValue(live, 'aegis_sessions', { agent: 'command', state: 'working' })!;
  t.equal(idleOrWorking, 1, 'the session is counted in its state');
  t.equal(sampleSum(live, 'aegis_sessions', { agent: 'command' }), 1, 'and in no other');
  t.equal(sampleValue(live, 'aegis_agent_processes', { agent: 'command' }), 1, 'its process is counted');
  t.ok(sampleValue(live, 'aegis_agent_resident_memory_bytes', { agent: 'command' })! > 0, 'with its memory');
  t.equal(sampleValue(live, 'aegis_message_delivery_seconds_count', { agent: 'command', delivered: 'true' }), 1);

  t.equal((await app.inject({ method: 'DELETE', url: `/v1/sessions/${id}?wait=true`, headers: bearer() })).statusCode, 200);
  const after = (await scrape(app)).families!;
  t.equal(sampleValue(after, 'aegis_sessions_created_total', { agent: 'command' }), 1, 'the create is counted');
  t.ok(sampleSum(after, 'aegis_session_state_transitions_total', { from: 'starting' }) >= 1, 'state changes are counted');
  t.equal(sampleValue(after, 'aegis_session_state_transitions_total', { to: 'exited' }) ?? sampleSum(after, 'aegis_session_state_transitions_total', { to: 'exited' }), 1);
  t.equal(sampleValue(after, 'aegis_sessions', { agent: 'command', state: 'exited' }), 1);
  t.equal(sampleValue(after, 'aegis_agent_processes', { agent: 'command' }), 0, 'no process after the kill');
  t.equal(sampleValue(after, 'aegis_http_request_duration_seconds_count', { method: 'POST', route: '/v1/sessions', status_code: '201' }), 1, 'requests are timed by route template');
  t.equal(sampleValue(after, 'aegis_http_request_duration_seconds_count', { method: 'GET', route: '/metrics', status_code: '200' }), 2, 'earlier scrapes included');
  t.ok(sampleValue(after, 'aegis_nodejs_eventloop_lag_seconds') !== undefined, 'event-loop lag is exported');
  t.ok(sampleValue(after, 'aegis_process_resident_memory_bytes')! > 0, 'and process metrics');

  for (const f of after.values()) {
    t.ok(f.name.startsWith('aegis_'), `${f.name} has the aegis_ prefix`);
    if (f.type === 'counter') t.ok(f.name.endsWith('_total'), `counter ${f.name} ends in _total`);
    if (f.type === 'histogram' && !f.name.includes('gc_duration')) t.ok(f.name.endsWith('_seconds'), `histogram ${f.name} is in seconds`);
  }
  t.equal(after.get('aegis_http_request_duration_seconds')?.type, 'histogram');
  t.equal(after.get('aegis_sessions')?.type, 'gauge');
});

t.test('channel outcomes and open event streams are counted from the bus and the sse plugin', async (t) => {
  const app = await testApp(t, { plugins: { metrics: {} } });
  const base = { deliveryId: 'd1', eventId: 'e1', channel: 'webhook', type: 'session.created', at: new Date().toISOString() };
  const bus = app.events as unknown as { emit(name: string, payload: unknown): void };
  bus.emit('notification.failed', { ...base, attempt: 1, error: 'HTTP 500', final: false });
  bus.emit('notification.delivered', { ...base, attempts: 2 });
  bus.emit('notification.failed', { ...base, channel: 'slack', attempt: 8, error: 'HTTP 500', final: true });
  bus.emit('notification.dead-lettered', { ...base, channel: 'slack', attempts: 8, reason: 'attempts' });
  const m = (await scrape(app)).families!;
  t.equal(sampleValue(m, 'aegis_channel_deliveries_total', { channel: 'webhook' }), 1);
  t.equal(sampleValue(m, 'aegis_channel_delivery_failures_total', { channel: 'webhook' }), 1);
  t.equal(sampleValue(m, 'aegis_channel_delivery_failures_total', { channel: 'slack' }), 1);
  t.equal(sampleValue(m, 'aegis_channel_dead_letters_total', { channel: 'slack' }), 1);
  t.equal(sampleValue(m, 'aegis_sse_connections'), 0, 'no sse plugin, no streams');
});

t.test('/metrics refuses a caller without the metrics permission', async (t) => {
  const app = await testApp(t, { plugins: { metrics: {} } });
  const none = await app.inject({ method: 'GET', url: '/metrics' });
  t.equal(none.statusCode, 401);
  t.equal(none.json().code, 'AEGIS_ERR_AUTH_MISSING_TOKEN');
  for (const role of ['viewer', 'operator'] as const) {
    const { key } = await createKey(app, { name: role, role });
    const res = (await scrape(app, key)).res;
    t.equal(res.statusCode, 403, `${role} is refused`);
    t.equal(res.json().code, 'AEGIS_ERR_AUTH_FORBIDDEN');
  }
  const granted = await createKey(app, { name: 'scraper', role: 'viewer', permissions: ['metrics'] });
  t.equal((await scrape(app, granted.key)).res.statusCode, 200, 'a key given the metrics permission may scrape');
  t.equal((await scrape(app)).res.statusCode, 200, 'and so may an admin');
});

t.test('with a metrics token configured, that token and nothing else opens /metrics', async (t) => {
  const token = 'metrics-scrape-token-0123456789';
  const app = await testApp(t, { plugins: { metrics: { token } } });
  const ok = await scrape(app, token);
  t.equal(ok.res.statusCode, 200);
  t.match(ok.res.headers['content-type'], /^text\/plain; version=0\.0\.4/);
  for (const [what, headers] of [['no token', {}], ['a wrong token', bearer('metrics-scrape-token-wrong-123')], ['the master token', bearer()]] as const) {
    const res = await app.inject({ method: 'GET', url: '/metrics', headers });
    t.equal(res.statusCode, 401, `${what} is refused`);
    t.equal(res.json().code, 'AEGIS_ERR_METRICS_TOKEN_INVALID');
  }
  t.equal((await app.inject({ method: 'GET', url: '/v1/sessions', headers: bearer(token) })).statusCode, 401, 'the metrics token opens nothing else');
});

t.test('a metrics token shorter than 16 characters stops the boot', async (t) => {
  const err = await testApp(t, { plugins: { metrics: { token: 'short' } } }).catch((e: { code?: string }) => e);
  t.equal((err as { code?: string }).code, 'AEGIS_ERR_PLUGIN_OPTIONS_INVALID');
});
