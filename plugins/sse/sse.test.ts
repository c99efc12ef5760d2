import t from 'tap';
import { bearer } from '../../test/support/app.js';
import { streamWorld } from '../../test/support/stream-world.js';

const ids = (events: Array<{ id?: string }>) => events.map((e) => Number(e.id));

t.test('the stream carries session events by type, with the session id and rising ids', async (t) => {
  const w = await streamWorld(t);
  const s = await w.stream('/v1/events');
  t.equal(s.status, 200);
  t.match(s.headers['content-type'], /^text\/event-stream/);
  const id = await w.session();
  await w.call('POST', `/v1/sessions/${id}/send`, { text: 'hello' });
  const msgs = await s.count((e) => e.event === 'session.message', 2);
  t.same(msgs.map((e) => [e.data.role, e.data.text]), [['user', 'hello'], ['assistant', 'echo hello']]);
  const created = await s.next((e) => e.event === 'session.created');
  t.match(created.data, { sessionId: id, agent: 'fake', ownerId: 'master' });
  await s.next((e) => e.event === 'session.state-changed' && e.data.to === 'working');
  const seen = ids(s.events);
  t.same(seen, [...seen].sort((a, b) => a - b), 'ids rise in order');
  t.equal(new Set(seen).size, seen.length, 'no id twice');
  t.ok(s.events.every((e) => e.data.sessionId === id));
});

t.test('the OpenAPI document lists a schema for every streamed event type', async (t) => {
  const w = await streamWorld(t);
  const doc = (await w.call('GET', '/v1/openapi.json')).json;
  const listed = JSON.stringify(doc.paths['/v1/events'].get.responses['200']);
  for (const type of [...w.app.sse.eventTypes(), 'stream.truncated']) t.ok(listed.includes(`"${type}"`), type);
  t.ok(w.app.sse.eventTypes().includes('permission.resolved'));
  t.ok(w.app.sse.eventTypes().includes('session.message'));
});

t.test('Last-Event-ID (header or query) replays exactly what the stream missed', async (t) => {
  const w = await streamWorld(t);
  const first = await w.stream('/v1/events');
  const id = await w.session();
  await first.next((e) => e.event === 'session.state-changed' && e.data.to === 'idle');
  const resumeAt = first.lastId()!;
  first.close();
  await w.call('POST', `/v1/sessions/${id}/send`, { text: 'while away' });
  const watcher = await w.stream('/v1/events');
  await w.call('POST', `/v1/sessions/${id}/send`, { text: 'after' });
  await watcher.count((e) => e.event === 'session.message', 2);

  const byHeader = await w.stream('/v1/events', { ...bearer(), 'last-event-id': resumeAt });
  const byQuery = await w.stream(`/v1/events?lastEventId=${resumeAt}`);
  for (const resumed of [byHeader, byQuery]) {
    await resumed.count((e) => e.event === 'session.message', 4);
    t.notOk(resumed.events.some((e) => e.event === 'stream.truncated'), 'nothing was lost, so no truncation notice');
    t.equal(Number(resumed.events[0]!.id), Number(resumeAt) + 1, 'replay starts right after the id');
    t.same(resumed.events.filter((e) => e.event === 'session.message').map((e) => e.data.text),
      ['while away', 'echo while away', 'after', 'echo after']);
    const got = ids(resumed.events);
    t.same(got, got.map((_, i) => Number(resumeAt) + 1 + i), 'every event once, in order');
  }
  const bad = await w.stream('/v1/events', { ...bearer(), 'last-event-id': 'abc' });
  t.equal(bad.status, 400);
  t.equal(bad.body.code, 'AEGIS_ERR_SSE_INVALID_LAST_EVENT_ID');
});

t.test('an id older than the replay buffer starts the stream with stream.truncated, never a silent gap', async (t) => {
  const w = await streamWorld(t, { sse: { bufferSize: 3 } });
  const id = await w.session();
  for (let i = 0; i < 3; i++) await w.call('POST', `/v1/sessions/${id}/send`, { text: `m${i}` });
  const s = await w.stream('/v1/events', { ...bearer(), 'last-event-id': '1' });
  const notice = await s.next(() => true);
  t.equal(notice.event, 'stream.truncated');
  t.match(notice.data, { lastEventId: 1 });
  t.equal(Number(notice.id), notice.data.resumedAfter);
  await s.count((e) => e.event !== 'stream.truncated', 3);
  t.equal(Number(s.events[1]!.id), notice.data.resumedAfter + 1, 'the buffered events follow the notice');
});

t.test('event ids keep rising across a restart, and a pre-restart id is reported as truncated', async (t) => {
  const first = await streamWorld(t);
  const s = await first.stream('/v1/events');
  await first.session();
  await s.next((e) => e.event === 'session.created');
  const before = Number(s.lastId());
  s.close();
  await first.app.close();
  const again = await streamWorld(t, {}, first.stateDir);
  const s2 = await again.stream('/v1/events', { ...bearer(), 'last-event-id': String(before) });
  await again.session();
  const created = await s2.next((e) => e.event === 'session.created');
  t.ok(Number(created.id) > before, `${created.id} > ${before}`);
  t.equal(s2.events[0]!.event, 'stream.truncated', 'events of the old run after that id cannot be replayed');
});

t.test('a :ping comment follows write silence, and a stream with no event is closed after the client timeout', async (t) => {
  const w = await streamWorld(t, { sse: { idleMs: 20, clientTimeoutMs: 300 } });
  const s = await w.stream('/v1/events');
  await s.ended;
  t.ok(s.comments.filter((c) => c === 'ping').length >= 2, `pings: ${s.comments.length}`);
  t.equal(s.events.length, 0);
  t.equal(w.app.sse.streams, 0);
  t.equal(w.app.lifecycle.inFlight, 0, 'the closed stream is no longer counted in flight');
});

t.test('events keep a stream open past the client timeout', async (t) => {
  const w = await streamWorld(t, { sse: { idleMs: 5000, clientTimeoutMs: 1000 } });
  const id = await w.session();
  const s = await w.stream('/v1/events');
  // Eight events 200 ms apart span 1.6 s, longer than the timeout; each one resets it.
  for (let i = 0; i < 8; i++) {
    w.app.events.emit('session.message', { sessionId: id, at: new Date().toISOString(), index: i, entryId: `k${i}`, role: 'assistant', text: `keep ${i}` });
    await s.next((e) => e.data.entryId === `k${i}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  t.equal(w.app.sse.streams, 1, 'still open after 1.6 s of events');
});

t.test('stream caps: per address and overall, answered 429 with a code', async (t) => {
  const w = await streamWorld(t, { sse: { maxStreamsPerAddress: 2, maxStreams: 3 } });
  await w.stream('/v1/events');
  await w.stream('/v1/events');
  const third = await w.stream('/v1/events');
  t.equal(third.status, 429);
  t.equal(third.body.code, 'AEGIS_ERR_SSE_TOO_MANY_STREAMS_FROM_ADDRESS');
  t.ok(third.headers['retry-after']);
});

t.test('a reader that stops reading is cut off once its backlog passes the limit, while another keeps receiving', async (t) => {
  // The limit is above one batch of events written in a single tick (every stream holds those briefly).
  const w = await streamWorld(t, { sse: { maxBufferedBytes: 131072, bufferSize: 10 } });
  const id = await w.session();
  const stalled = await w.stream('/v1/events');
  const reader = await w.stream('/v1/events');
  stalled.pause();
  const text = 'x'.repeat(3900);
  let sent = 0;
  // The kernel's socket buffers take a few MB first; bounded at 40 MB of events.
  while (w.app.sse.streams === 2 && sent < 10000) {
    for (let i = 0; i < 10; i++, sent++) {
      w.app.events.emit('session.message', { sessionId: id, at: new Date().toISOString(), index: sent, entryId: `e${sent}`, role: 'assistant', text });
    }
    await reader.count((e) => e.event === 'session.message', sent, 10000);
  }
  t.equal(w.app.sse.streams, 1, `the stalled stream was dropped after ${sent} events`);
  w.app.events.emit('session.message', { sessionId: id, at: new Date().toISOString(), index: sent, entryId: 'last', role: 'assistant', text: 'after the drop' });
  await reader.next((e) => e.data.entryId === 'last');
  const got = reader.events.filter((e) => e.event === 'session.message').map((e) => e.data.index);
  t.same(got, got.map((_, i) => i), 'the other reader received every event, in order');
  // The stalled client reads nothing, so it cannot see the end; the server side is what matters.
  t.equal(w.app.lifecycle.inFlight, 1, 'only the live stream is still in flight');
  stalled.close();
});

t.test('another tenant\'s events never arrive; a viewer sees events but no secrets', async (t) => {
  const w = await streamWorld(t, { tenancy: {}, sessions: { requestEnv: ['MY_PROJECT_SETTING'] } });
  const key = async (tenantId: string, role: string) => (await w.call('POST', '/v1/auth/keys', { name: `${tenantId}-${role}`, role, tenantId })).json.key as string;
  const aOp = await key('a', 'operator');
  const aViewer = await key('a', 'viewer');
  const bOp = await key('b', 'operator');
  const tokenA = (await w.call('POST', '/v1/auth/stream-token', undefined, aViewer)).json.token as string;
  const viewer = await w.stream(`/v1/events?token=${tokenA}`, {});
  t.equal(viewer.status, 200);
  const bStream = await w.stream('/v1/events', bearer(bOp));

  const sessionB = await w.session(bOp);
  await bStream.next((e) => e.event === 'session.state-changed' && e.data.sessionId === sessionB && e.data.to === 'idle');
  await w.call('POST', `/v1/sessions/${sessionB}/send`, { text: 'b secret plans' }, bOp);
  await bStream.next((e) => e.data.text === 'echo b secret plans');
  const sessionA = await w.session(aOp, { env: { MY_PROJECT_SETTING: 'value-that-must-not-leak' } });
  await w.call('POST', `/v1/sessions/${sessionA}/send`, { text: 'a hello' }, aOp);
  // Tenant B's events were emitted first; by the time A's last one arrives, B's would have too.
  await viewer.next((e) => e.data.text === 'echo a hello');
  t.ok(viewer.events.length >= 4);
  t.ok(viewer.events.every((e) => e.data.sessionId === sessionA && e.data.tenantId === 'a'), 'only tenant a events');
  t.notOk(bStream.events.some((e) => e.data.sessionId === sessionA), 'and b never sees a');
  const raw = JSON.stringify(viewer.events);
  t.notOk(raw.includes('value-that-must-not-leak'), 'no env value');
  t.notOk(raw.includes('MY_PROJECT_SETTING'), 'not even env names');

  const other = await w.stream(`/v1/sessions/${sessionB}/events`, bearer(aViewer));
  t.equal(other.status, 404, 'another tenant\'s session stream looks unknown');
  t.equal(other.body.code, 'AEGIS_ERR_SESSION_NOT_FOUND');
  const own = await w.stream(`/v1/sessions/${sessionA}/events?lastEventId=0`, bearer(aViewer));
  await own.next((e) => e.event === 'session.message');
  t.ok(own.events.filter((e) => e.event !== 'stream.truncated').every((e) => e.data.sessionId === sessionA));
});

t.test('a stream token opens streams only, is bound to its principal, expires, and keys in URLs are refused', async (t) => {
  const w = await streamWorld(t, { auth: { streamTokenTtlMs: 400 } });
  const issued = await w.call('POST', '/v1/auth/stream-token');
  t.equal(issued.status, 200);
  const { token, expiresAt } = issued.json;
  t.match(token, /^aegis_st_/);
  const ok = await w.stream(`/v1/events?token=${encodeURIComponent(token)}`, {});
  t.equal(ok.status, 200);

  const otherRoute = await w.app.inject({ method: 'GET', url: `/v1/sessions?token=${token}` });
  t.equal(otherRoute.statusCode, 401, 'a stream token in the URL of a REST route opens nothing');
  t.equal(otherRoute.json().code, 'AEGIS_ERR_AUTH_MISSING_TOKEN');
  const asBearer = await w.app.inject({ method: 'GET', url: '/v1/sessions', headers: bearer(token) });
  t.equal(asBearer.statusCode, 401, 'nor as a bearer token');
  t.equal(asBearer.json().code, 'AEGIS_ERR_AUTH_INVALID_TOKEN');
  const mint = await w.app.inject({ method: 'POST', url: `/v1/auth/stream-token?token=${token}` });
  t.equal(mint.statusCode, 401, 'a stream token cannot mint another');

  const key = (await w.call('POST', '/v1/auth/keys', { name: 'k', role: 'viewer' })).json.key as string;
  for (const secret of [key, 'test-master-token-0123456789abcdef']) {
    const res = await w.stream(`/v1/events?token=${encodeURIComponent(secret)}`, {});
    t.equal(res.status, 401);
    t.equal(res.body.code, 'AEGIS_ERR_AUTH_KEY_IN_URL');
  }

  // Waiting for a deadline the server gave us, not for an event.
  await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(expiresAt) - Date.now()) + 50));
  const late = await w.stream(`/v1/events?token=${encodeURIComponent(token)}`, {});
  t.equal(late.status, 401);
  t.equal(late.body.code, 'AEGIS_ERR_AUTH_INVALID_STREAM_TOKEN');
  t.equal(w.app.auth.verifyStreamToken(token, 'terminal'), null, 'expired for the terminal stream too');
  const fresh = (await w.call('POST', '/v1/auth/stream-token')).json.token as string;
  t.match(w.app.auth.verifyStreamToken(fresh, 'terminal'), { id: 'master' }, 'a live token is good for a terminal stream');
  t.equal(w.app.auth.verifyStreamToken(fresh, 'rest' as never), null, 'and for nothing else');
});

t.test('a revoked key\'s stream tokens stop working at once', async (t) => {
  const w = await streamWorld(t);
  const created = (await w.call('POST', '/v1/auth/keys', { name: 'k', role: 'viewer' })).json;
  const token = (await w.call('POST', '/v1/auth/stream-token', undefined, created.key)).json.token as string;
  t.equal((await w.stream(`/v1/events?token=${token}`, {})).status, 200);
  await w.call('DELETE', `/v1/auth/keys/${created.id}`);
  const after = await w.stream(`/v1/events?token=${token}`, {});
  t.equal(after.body.code, 'AEGIS_ERR_AUTH_INVALID_STREAM_TOKEN');
});
