import t, { type Test } from 'tap';
import { acpApp, fixture, nextEvent, removeAll, scratch, waitGone, waitState } from './test-helpers.js';

const state = await scratch('aegis-acp-fail-state-');
const shortState = await scratch('aegis-acp-fail-short-');
const work = await scratch('aegis-acp-fail-work-');
const { app, call } = await acpApp(state, {
  ...fixture('acp-agent'),
  agents: { crash: fixture('acp-crash'), garbage: fixture('acp-garbage') },
});
// Short timeouts for agents that never answer. The handshake one still leaves room for a plain
// Node start on a busy machine; the SDK-based fixtures (~1 s to start) run on the other app.
const SHORT = 600;
const HANDSHAKE = 3000;
const short = await acpApp(shortState, {
  requestTimeoutMs: HANDSHAKE,
  promptTimeoutMs: SHORT,
  agents: { silent: fixture('acp-silent'), mute: fixture('acp-silent', '--setup'), missing: { command: '/nonexistent/aegis-acp-agent' } },
});
t.teardown(async () => { await app.close(); await short.app.close(); await removeAll(state, shortState, work); });

const create = (agent: string, prompt?: string, on = call) =>
  on('POST', '/v1/sessions', { agent: 'acp', workDir: work, reuse: false, agentOptions: { agent }, ...(prompt ? { prompt } : {}) });

/** The server still serves: a fresh session of the good agent answers. */
async function serverUnharmed(t: Test) {
  const res = await call('POST', '/v1/sessions', { agent: 'acp', workDir: work, reuse: false, prompt: 'still there?' });
  t.equal(res.status, 201, 'a new session starts');
  await waitState(app, res.json.id, 'idle', 5000);
  const last = (await call('GET', `/v1/sessions/${res.json.id}/transcript`)).json.entries.at(-1);
  t.equal(last.text, 'echo: still there?', 'and answers');
  await call('DELETE', `/v1/sessions/${res.json.id}`);
}

/** The short-timeout server still serves: a new session completes its handshake. */
async function shortUnharmed(t: Test) {
  const res = await create('mute', undefined, short.call);
  t.equal(res.status, 201, 'a new session starts');
  t.equal(res.json.status, 'idle', 'and is ready');
  await short.call('DELETE', `/v1/sessions/${res.json.id}`);
}

t.test('an agent that crashes mid-prompt leaves the session in error, then exited, with the reason', async (t) => {
  const res = await create('crash');
  t.equal(res.status, 201);
  const id = res.json.id as string;
  const pid = res.json.pid as number;
  const error = nextEvent(app, 'session.state-changed', (p) => p.sessionId === id && p.to === 'error', 5000);
  const exited = nextEvent(app, 'session.exited', (p) => p.sessionId === id, 5000);
  await call('POST', `/v1/sessions/${id}/send`, { text: 'go' });
  t.match((await error).cause, /^acp:agent-exited: .*exited with code 3: fixture: crashing on purpose/);
  t.match(await exited, { exitCode: 3, reason: 'exited with code 3' });
  t.match((await call('GET', `/v1/sessions/${id}`)).json, { status: 'exited', exitCode: 3 });
  t.match((await call('GET', `/v1/sessions/${id}/transcript`)).json.entries.at(-1), { role: 'assistant', text: 'about to crash' });
  t.equal((await call('POST', `/v1/sessions/${id}/send`, { text: 'more' })).json.code, 'AEGIS_ERR_SESSION_EXITED');
  t.ok(await waitGone(pid));
  await serverUnharmed(t);
});

t.test('garbage lines are skipped and counted; the agent still answers', async (t) => {
  const res = await create('garbage', 'hi');
  t.equal(res.status, 201);
  const id = res.json.id as string;
  await waitState(app, id, 'idle');
  t.equal((await call('GET', `/v1/sessions/${id}/transcript`)).json.entries.at(-1).text, 'echo: hi');
  const counters = (await call('GET', `/v1/sessions/${id}/metrics`)).json.driver;
  t.ok(counters.malformedLines >= 15, `malformed lines counted in the session metrics (${counters.malformedLines})`);
  t.match(counters, { unmatchedAnswers: 0, requestTimeouts: 0 });
  await call('DELETE', `/v1/sessions/${id}?wait=true`);
  t.same((await call('GET', `/v1/sessions/${id}/metrics`)).json.driver, counters, 'the counters outlive the process');
  await serverUnharmed(t);
});

t.test('an agent that never answers initialize fails the create with ACP_REQUEST_TIMEOUT and is ended', async (t) => {
  const started = Date.now();
  const res = await create('silent', undefined, short.call);
  t.equal(res.status, 504);
  t.equal(res.json.code, 'AEGIS_ERR_ACP_REQUEST_TIMEOUT');
  t.ok(Date.now() - started < HANDSHAKE + 3000, 'within the timeout and the kill grace');
  const s = short.app.sessions.list({ agent: 'acp' }).sessions.find((v) => v.status === 'exited' && v.reason?.includes('did not answer initialize'));
  t.ok(s, 'the session is kept as exited with the reason');
  t.match(s!.reason, /^start failed: The ACP agent did not answer initialize within 3000 ms/);
  t.ok(await waitGone(s!.pid!), 'its process is gone');
  await shortUnharmed(t);
});

t.test('a prompt the agent never answers ends in error after promptTimeoutMs; delete then ends it', async (t) => {
  const res = await create('mute', undefined, short.call);
  t.equal(res.status, 201);
  const id = res.json.id as string;
  const error = nextEvent(short.app, 'session.state-changed', (p) => p.sessionId === id && p.to === 'error', SHORT + 3000);
  await short.call('POST', `/v1/sessions/${id}/send`, { text: 'hello?' });
  t.equal((await error).cause, 'acp:prompt-timeout');
  const killed = await short.call('DELETE', `/v1/sessions/${id}?wait=true`);
  t.match(killed.json, { status: 'exited', reason: 'killed' });
  t.ok(await waitGone(res.json.pid));
  await shortUnharmed(t);
});

t.test('a program that cannot be started fails the create with ACP_SPAWN_FAILED', async (t) => {
  const res = await create('missing', undefined, short.call);
  t.equal(res.status, 500);
  t.equal(res.json.code, 'AEGIS_ERR_ACP_SPAWN_FAILED');
  await shortUnharmed(t);
});

t.test('delete ends the agent process group and marks the session killed', async (t) => {
  const res = await create('garbage');
  const id = res.json.id as string;
  const pid = res.json.pid as number;
  t.ok(pid > 0);
  const killed = await call('DELETE', `/v1/sessions/${id}?wait=true`);
  t.match(killed.json, { status: 'exited', reason: 'killed' });
  t.ok(await waitGone(pid));
  t.equal((await call('POST', `/v1/sessions/${id}/interrupt`, {})).json.code, 'AEGIS_ERR_SESSION_EXITED');
});
