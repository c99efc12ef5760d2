import t from 'tap';
import { catalogue } from '../index.js';
import { defineError } from '../../kernel/index.js';
import type { Principal } from '../auth/index.js';
import type { CreateGuardInput } from './api.js';
import { fakeDriverPlugin } from './fake-driver.js';
import { cleanup, makeApp, nextEvent, type TestApp } from './test-helpers.js';

const ALICE = 'alice-token-0123456789abcdef0123';
const BOB = 'bob-token-0123456789abcdef012345';
const VIEWER = 'viewer-token-0123456789abcdef012';
const principals: Record<string, Principal> = {
  [ALICE]: { id: 'alice', kind: 'key', role: 'operator', tenantId: 't1' },
  [BOB]: { id: 'bob', kind: 'key', role: 'operator', tenantId: 't2' },
  // An operator, so role checks in auth let her through and only the access policy refuses.
  [VIEWER]: { id: 'vera', kind: 'key', role: 'operator', tenantId: 't1' },
};
const as = (token: string) => ({ authorization: `Bearer ${token}` });

const fake = fakeDriverPlugin();
let h: TestApp;
const guardSeen: CreateGuardInput[] = [];
const Refused = defineError('AEGIS_ERR_TEST_REFUSED', 'refused by the test guard', 403);

t.before(async () => {
  // openapi first: it only sees routes added after it loads.
  h = await makeApp({ extra: { openapi: catalogue.openapi, ...fake.catalogue }, sessions: { requestEnv: ['REFUSE'] } });
  h.app.auth.addVerifier((token) => principals[token] ?? null);
  h.app.sessions.addCreateGuard((input) => {
    guardSeen.push(input);
    if (input.env.REFUSE === 'yes') throw new Refused();
  });
  // Tenants cannot see each other's sessions; vera may look but not act.
  h.app.sessions.addAccessPolicy((principal, record, action) => {
    if (!principal || principal.kind === 'master') return undefined;
    if (record.owner.tenantId !== principal.tenantId) return 'hide';
    if (action === 'act' && principal.id === 'vera') return 'deny';
    return 'allow';
  });
});
t.teardown(async () => {
  await h.app.close();
  await cleanup(h.stateDir, h.work);
});

t.test('a session belongs to its creator and tenant, and its events carry the tenant', async (t) => {
  const changed = nextEvent(h.app, 'session.state-changed', (p) => p.tenantId === 't1');
  const res = await h.inject('POST', '/v1/sessions', { workDir: h.work, agent: 'fake' }, as(ALICE));
  t.equal(res.status, 201);
  t.same(res.json.owner, { principalId: 'alice', tenantId: 't1' });
  const ev = await changed;
  t.equal(ev.sessionId, res.json.id);
  t.match(ev, { from: 'starting', to: 'idle', cause: 'fake:start' });
  t.type(ev.at, 'string');
});

t.test('an access policy that hides a session answers 404 exactly as for an unknown id', async (t) => {
  const id = (await h.inject('POST', '/v1/sessions', { workDir: h.work, agent: 'fake', reuse: false }, as(ALICE))).json.id;
  for (const [method, url, body] of [
    ['GET', `/v1/sessions/${id}`], ['GET', `/v1/sessions/${id}/pane`], ['GET', `/v1/sessions/${id}/transcript`],
    ['GET', `/v1/sessions/${id}/metrics`], ['POST', `/v1/sessions/${id}/send`, { text: 'x' }], ['DELETE', `/v1/sessions/${id}`],
  ] as const) {
    const res = await h.inject(method, url, body, as(BOB));
    t.equal(res.status, 404, `${method} ${url}`);
    t.equal(res.json.code, 'AEGIS_ERR_SESSION_NOT_FOUND');
  }
  const list = (await h.inject('GET', '/v1/sessions', undefined, as(BOB))).json;
  t.notOk(list.sessions.some((s: { id: string }) => s.id === id), 'the list leaves it out');
  t.ok((await h.inject('GET', '/v1/sessions', undefined, as(ALICE))).json.sessions.some((s: { id: string }) => s.id === id));
});

t.test('an access policy that denies an action answers 403 and still lets the session be read', async (t) => {
  const id = (await h.inject('POST', '/v1/sessions', { workDir: h.work, agent: 'fake', reuse: false }, as(ALICE))).json.id;
  const send = await h.inject('POST', `/v1/sessions/${id}/send`, { text: 'x' }, as(VIEWER));
  t.equal(send.status, 403);
  t.equal(send.json.code, 'AEGIS_ERR_SESSION_FORBIDDEN');
  t.equal((await h.inject('DELETE', `/v1/sessions/${id}`, undefined, as(VIEWER))).json.code, 'AEGIS_ERR_SESSION_FORBIDDEN');
  t.equal((await h.inject('GET', `/v1/sessions/${id}`, undefined, as(VIEWER))).status, 200);
});

t.test('a create guard that throws refuses the session before anything is created', async (t) => {
  const before = h.app.sessions.list().total;
  const res = await h.inject('POST', '/v1/sessions', { workDir: h.work, agent: 'fake', env: { REFUSE: 'yes' } }, as(ALICE));
  t.equal(res.status, 403);
  t.equal(res.json.code, 'AEGIS_ERR_TEST_REFUSED');
  t.equal(h.app.sessions.list().total, before, 'no session was created');
  const seen = guardSeen[guardSeen.length - 1];
  t.match(seen, { agent: 'fake', env: { REFUSE: 'yes' }, principal: { id: 'alice', tenantId: 't1' }, origin: 'create', permissionMode: 'default', envNames: ['REFUSE'] });
  const resumed = await h.inject('POST', '/v1/sessions', { workDir: h.work, agent: 'fake', resumeSessionId: 'abc-123', env: { REFUSE: 'yes' } });
  t.equal(resumed.json.code, 'AEGIS_ERR_TEST_REFUSED', 'the resume path is guarded too');
  t.equal(guardSeen[guardSeen.length - 1].origin, 'resume');
});

t.test('the hook receiver checks the per-session secret and forwards to the driver', async (t) => {
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  const id = (await h.inject('POST', '/v1/sessions', { workDir: h.work, agent: 'fake', reuse: false })).json.id;
  const ctx = fake.log.contexts.get(id)!;
  const port = (h.app.server.address() as { port: number }).port;
  t.equal(ctx.hookUrl, `http://127.0.0.1:${port}/v1/hooks/${id}`, 'the hook URL names the port actually listened on');
  const post = (url: string, headers: Record<string, string>) => fetch(url, {
    method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ command: 'rm -rf build' }),
  });
  const missing = await post(`${ctx.hookUrl}/PreToolUse`, {});
  t.equal(missing.status, 401);
  t.equal(((await missing.json()) as { code: string }).code, 'AEGIS_ERR_SESSION_HOOK_SECRET_MISSING');
  const wrong = await post(`${ctx.hookUrl}/PreToolUse`, { 'x-aegis-hook-secret': 'not-the-secret' });
  t.equal(wrong.status, 403);
  t.equal(((await wrong.json()) as { code: string }).code, 'AEGIS_ERR_SESSION_HOOK_SECRET_INVALID');
  const unknown = await post(`http://127.0.0.1:${port}/v1/hooks/no-such-session/PreToolUse`, { 'x-aegis-hook-secret': ctx.hookSecret });
  t.equal(unknown.status, 403, 'an unknown session looks like a wrong secret');
  t.equal(fake.log.hooks.length, 0, 'nothing reached the driver');

  const requested = nextEvent(h.app, 'permission.requested', (p) => p.sessionId === id);
  const ok = await post(`${ctx.hookUrl}/PermissionRequest`, { 'x-aegis-hook-secret': ctx.hookSecret });
  t.equal(ok.status, 200);
  t.same(await ok.json(), {});
  t.match(fake.log.hooks, [{ sessionId: id, event: 'PermissionRequest', body: { command: 'rm -rf build' } }]);
  t.match((await requested).permission, { tool: 'Bash', detail: 'rm -rf build' });
});

t.test('a pending permission is shown, checked and resolved through approve and reject', async (t) => {
  const id = (await h.inject('POST', '/v1/sessions', { workDir: h.work, agent: 'fake', reuse: false })).json.id;
  const ctx = fake.log.contexts.get(id)!;
  const hook = () => h.app.inject({ method: 'POST', url: `/v1/hooks/${id}/PermissionRequest`, headers: { 'x-aegis-hook-secret': ctx.hookSecret }, payload: { command: 'ls' } });
  await hook();
  const got = (await h.inject('GET', `/v1/sessions/${id}`)).json;
  t.equal(got.status, 'permission_prompt');
  t.match(got.pendingPermission, { tool: 'Bash', detail: 'ls', options: [{ number: 1 }, { number: 2 }] });
  const bad = await h.inject('POST', `/v1/sessions/${id}/approve`, { option: 3 });
  t.equal(bad.json.code, 'AEGIS_ERR_SESSION_INVALID_OPTION');
  const resolved = nextEvent(h.app, 'permission.resolved', (p) => p.sessionId === id);
  t.equal((await h.inject('POST', `/v1/sessions/${id}/approve`, { option: 1 })).status, 200);
  t.match(await resolved, { decision: 'approved', option: 1, actorId: 'master' });
  t.equal(fake.log.calls.at(-1), 'approve:1');
  t.notOk('pendingPermission' in (await h.inject('GET', `/v1/sessions/${id}`)).json);
  t.equal((await h.inject('POST', `/v1/sessions/${id}/approve`)).json.code, 'AEGIS_ERR_SESSION_NOTHING_PENDING');
  await hook();
  t.equal((await h.inject('POST', `/v1/sessions/${id}/reject`)).status, 200);
  t.equal(fake.log.calls.at(-1), 'reject');
  const m = (await h.inject('GET', `/v1/sessions/${id}/metrics`)).json;
  t.match(m, { approvals: 1, rejections: 1 });
});

t.test('a pending question is answered by option or text', async (t) => {
  const id = (await h.inject('POST', '/v1/sessions', { workDir: h.work, agent: 'fake', reuse: false })).json.id;
  const ctx = fake.log.contexts.get(id)!;
  const asked = nextEvent(h.app, 'question.asked', (p) => p.sessionId === id);
  await h.app.inject({ method: 'POST', url: `/v1/hooks/${id}/Question`, headers: { 'x-aegis-hook-secret': ctx.hookSecret } });
  t.equal((await asked).question.question, 'Which?');
  t.equal((await h.inject('GET', `/v1/sessions/${id}`)).json.pendingQuestion.options.length, 2);
  t.equal((await h.inject('POST', `/v1/sessions/${id}/answer`, { option: 2 })).status, 200);
  t.equal(fake.log.calls.at(-1), 'answer:{"option":2}');
  t.equal((await h.inject('POST', `/v1/sessions/${id}/answer`, { text: 'C' })).json.code, 'AEGIS_ERR_SESSION_NO_QUESTION');
});

t.test('a driver without a process ends its session by reporting exited', async (t) => {
  const id = (await h.inject('POST', '/v1/sessions', { workDir: h.work, agent: 'fake', reuse: false })).json.id;
  const ctx = fake.log.contexts.get(id)!;
  const exited = nextEvent(h.app, 'session.exited', (p) => p.sessionId === id);
  await h.app.inject({ method: 'POST', url: `/v1/hooks/${id}/Exit`, headers: { 'x-aegis-hook-secret': ctx.hookSecret } });
  t.equal((await exited).reason, 'hook:Exit');
  t.equal((await h.inject('GET', `/v1/sessions/${id}`)).json.status, 'exited');
});

t.test('usage, tool calls and the transcript reported by a driver are paged and counted', async (t) => {
  const id = (await h.inject('POST', '/v1/sessions', { workDir: h.work, agent: 'fake', reuse: false })).json.id;
  for (const text of ['one', 'two', 'three']) await h.inject('POST', `/v1/sessions/${id}/send`, { text });
  const m = (await h.inject('GET', `/v1/sessions/${id}/metrics`)).json;
  t.match(m, { messagesSent: 3, toolCalls: { total: 3, byName: { Bash: 3 } }, usage: { inputTokens: 30, outputTokens: 15 } });
  t.type(m.driver.hooksSeen, 'number', "the driver's own counters are included");
  const users = (await h.inject('GET', `/v1/sessions/${id}/transcript?role=user&limit=2`)).json;
  t.equal(users.total, 3);
  t.same(users.entries.map((e: { text: string }) => e.text), ['one', 'two']);
  const newest = (await h.inject('GET', `/v1/sessions/${id}/transcript/cursor?limit=2`)).json;
  t.same(newest.entries.map((e: { text: string }) => e.text), ['three', 'echo three']);
  t.equal(newest.hasMore, true);
  await h.inject('POST', `/v1/sessions/${id}/send`, { text: 'four' });
  const older = (await h.inject('GET', `/v1/sessions/${id}/transcript/cursor?limit=2&before_id=${newest.before}`)).json;
  t.same(older.entries.map((e: { text: string }) => e.text), ['two', 'echo two'], 'the cursor is stable under appends');
});

t.test('the OpenAPI document lists the session routes with their schemas', async (t) => {
  const res = await h.inject('GET', '/v1/openapi.json');
  t.equal(res.status, 200, res.raw.slice(0, 300));
  const doc = res.json;
  t.ok(doc.paths['/v1/sessions'].post.requestBody, 'create has a body schema');
  t.ok(doc.paths['/v1/sessions/{id}/transcript/cursor'].get);
  t.ok(doc.paths['/v1/hooks/{sessionId}/{event}'].post);
});
