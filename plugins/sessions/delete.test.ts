import t from 'tap';
import { once } from 'node:events';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SessionsRegistry } from './service.js';
import { TOKEN, cleanup, makeApp, startCrashServer, nextEvent, pollUntil, processGone, waitForText, waitGone, waitGroupGone, waitState, type TestApp } from './test-helpers.js';

/** Prints `stubborn`, then ignores SIGTERM (saying so on its screen): only the SIGKILL after the grace ends it. */
const STUBBORN = { command: 'bash', args: ['-c', "trap 'echo term-ignored' TERM; echo stubborn; while true; do sleep 0.05; done"] };

async function stubborn(h: TestApp): Promise<{ id: string; pid: number }> {
  const res = await h.inject('POST', '/v1/sessions', { workDir: h.work, agent: 'command', reuse: false, agentOptions: STUBBORN });
  const id = res.json.id as string;
  await waitState(h.app, id, 'idle');
  return { id, pid: res.json.pid as number };
}

const stateOf = async (h: TestApp, id: string) => (await h.inject('GET', `/v1/sessions/${id}`)).json;

let h: TestApp;
// A grace long enough that a loaded machine still checks "alive while ending" well before the SIGKILL.
t.before(async () => { h = await makeApp({ sessions: { killGraceMs: 3000 } }); });
t.teardown(async () => {
  await h.app.close();
  await cleanup(h.stateDir, h.work);
});

t.test('DELETE answers 202 with the session ending while its process still runs, and exited follows once the group is gone', async (t) => {
  const { id, pid } = await stubborn(h);
  const seen: Array<[string, string]> = [];
  const offKilled = h.app.events.on('session.killed', (p) => { if (p.sessionId === id) seen.push(['killed', p.actorId ?? '']); });
  const offChanged = h.app.events.on('session.state-changed', (p) => { if (p.sessionId === id) seen.push([`${p.from}->${p.to}`, p.cause]); });
  t.teardown(() => { offKilled(); offChanged(); });
  const exited = nextEvent(h.app, 'session.exited', (p) => p.sessionId === id, 15000);

  const del = await h.inject('DELETE', `/v1/sessions/${id}`);
  t.equal(del.status, 202);
  t.equal(del.json.status, 'ending');
  t.equal(del.json.stateCause, 'kill');
  t.notOk(processGone(pid), 'the program still runs when the answer comes');
  t.same(seen, [['killed', 'master'], ['idle->ending', 'kill']], 'the kill is announced, then the session is ending');
  const onDisk = JSON.parse(await readFile(join(h.stateDir, 'sessions', `${id}.json`), 'utf8'));
  t.equal(onDisk.status, 'ending', 'ending is on disk before the answer');
  t.equal((await stateOf(h, id)).status, 'ending', 'a GET meanwhile shows ending');

  const end = await exited;
  t.equal(end.reason, 'killed');
  t.equal(end.signal, 'SIGKILL', 'it took the SIGKILL after the grace');
  t.ok(processGone(pid), 'the program is gone once exited is announced');
  t.ok(await waitGroupGone(pid), 'and nothing of its group is left');
  t.same(seen.slice(2), [['ending->exited', 'kill']]);
  const after = await stateOf(h, id);
  t.match(after, { status: 'exited', reason: 'killed', stateCause: 'kill' });
});

t.test('a second DELETE while ending joins the kill in flight, and actions are refused', async (t) => {
  const { id, pid } = await stubborn(h);
  let kills = 0;
  const off = h.app.events.on('session.killed', (p) => { if (p.sessionId === id) kills++; });
  t.teardown(off);
  t.equal((await h.inject('DELETE', `/v1/sessions/${id}`)).status, 202);
  const again = await h.inject('DELETE', `/v1/sessions/${id}`);
  t.equal(again.status, 202);
  t.equal(again.json.status, 'ending');
  t.equal(kills, 1, 'one kill, one audit record');
  const send = await h.inject('POST', `/v1/sessions/${id}/send`, { text: 'hello' });
  t.equal(send.status, 409);
  t.equal(send.json.code, 'AEGIS_ERR_SESSION_ENDING');

  const waited = await h.inject('DELETE', `/v1/sessions/${id}?wait=true`);
  t.equal(waited.status, 200, 'wait=true while ending waits for the same kill');
  t.match(waited.json, { status: 'exited', reason: 'killed' });
  t.ok(processGone(pid));
  t.equal(kills, 1);
  const done = await h.inject('DELETE', `/v1/sessions/${id}`);
  t.equal(done.status, 200, 'an exited session answers as before');
  t.equal(done.json.status, 'exited');
});

t.test('a driver report or screen output while ending does not bring the session back to working or idle', async (t) => {
  const { id } = await stubborn(h);
  const changes: string[] = [];
  const off = h.app.events.on('session.state-changed', (p) => { if (p.sessionId === id) changes.push(p.to); });
  t.teardown(off);
  t.equal((await h.inject('DELETE', `/v1/sessions/${id}`)).status, 202);
  const ctx = (h.app.sessions as unknown as SessionsRegistry).session(id).ctx;
  ctx.report({ state: 'working', cause: 'test:late-report' });
  ctx.report({ state: 'idle', cause: 'test:late-report' });
  t.equal((await stateOf(h, id)).status, 'ending');
  // The program answers SIGTERM on its screen: output the command driver would read as working.
  const exited = nextEvent(h.app, 'session.exited', (p) => p.sessionId === id, 15000);
  await exited;
  t.match(h.app.sessions.pane(id).lines.join('\n'), /term-ignored/, 'the program wrote after SIGTERM');
  t.same(changes, ['ending', 'exited'], 'no state but ending and exited after the kill');
});

t.test('DELETE ?wait=true answers 200 with the session exited and its process gone', async (t) => {
  const res = await h.inject('POST', '/v1/sessions', { workDir: h.work, agent: 'command', reuse: false });
  const id = res.json.id as string;
  await waitForText(h.app, id, /ready/);
  const del = await h.inject('DELETE', `/v1/sessions/${id}?wait=true`);
  t.equal(del.status, 200);
  t.match(del.json, { status: 'exited', reason: 'killed', stateCause: 'kill' });
  t.ok(processGone(res.json.pid), 'the program is gone when the answer comes');
  const bad = await h.inject('DELETE', `/v1/sessions/${id}?wait=maybe`);
  t.equal(bad.status, 400, 'wait takes a boolean');
});

t.test('an ending session keeps its slot under maxSessions until it has exited', async (t) => {
  const own = await makeApp({ sessions: { killGraceMs: 1000, maxSessions: 1 } });
  t.teardown(async () => { await own.app.close(); await cleanup(own.stateDir, own.work); });
  const { id } = await stubborn(own);
  t.equal((await own.inject('DELETE', `/v1/sessions/${id}`)).status, 202);
  const refused = await own.inject('POST', '/v1/sessions', { workDir: own.work, agent: 'command', reuse: false });
  t.equal(refused.status, 429, 'its processes still run, so it still counts');
  t.equal(refused.json.code, 'AEGIS_ERR_SESSION_LIMIT');
  t.equal((await own.inject('DELETE', `/v1/sessions/${id}?wait=true`)).json.status, 'exited');
  const created = await own.inject('POST', '/v1/sessions', { workDir: own.work, agent: 'command', reuse: false });
  t.equal(created.status, 201, 'exited frees the slot');
});

t.test('closing the server while a session is ending waits for its process group and leaves it exited', async (t) => {
  const own = await makeApp({ sessions: { killGraceMs: 1000 } });
  t.teardown(() => cleanup(own.stateDir, own.work));
  const { id, pid } = await stubborn(own);
  t.equal((await own.inject('DELETE', `/v1/sessions/${id}`)).status, 202);
  await own.app.close();
  t.ok(processGone(pid), 'no process outlives the server');
  const onDisk = JSON.parse(await readFile(join(own.stateDir, 'sessions', `${id}.json`), 'utf8'));
  t.match(onDisk, { status: 'exited', reason: 'killed' }, 'the kill finished, so the next start does not resume it');
});

t.test('after a kill -9 of the server mid-kill, the next start ends the group and marks the session exited without resuming it', async (t) => {
  const stateDir = await mkdtemp(join(tmpdir(), 'aegis-sessions-ending-'));
  t.teardown(() => cleanup(stateDir));
  // Ignoring SIGHUP too keeps the program alive when the dead server's PTY closes; a long grace
  // keeps the first server from reaching the SIGKILL before it is killed itself.
  const command = { command: 'bash', args: ['-c', "trap '' TERM HUP; echo stubborn; while true; do sleep 0.05; done"] };
  const { server, port, work } = await startCrashServer(t, { AEGIS_TEST_STATE_DIR: stateDir, AEGIS_TEST_COMMAND: JSON.stringify(command), AEGIS_TEST_SESSIONS: JSON.stringify({ killGraceMs: 60000 }) });
  const call = (method: string, path: string, body?: unknown) => fetch(`http://127.0.0.1:${port}${path}`, {
    method, headers: { authorization: `Bearer ${TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const created = await (await call('POST', '/v1/sessions', { workDir: work, agent: 'command' })).json() as { id: string; pid: number };
  t.teardown(() => { try { process.kill(-created.pid, 'SIGKILL'); } catch { /* gone */ } });
  // Idle means it printed, so its traps are set before the kill comes.
  const idle = await pollUntil(async () => ((await (await call('GET', `/v1/sessions/${created.id}`)).json()) as { status: string }).status === 'idle', 10000, 50);
  t.ok(idle, 'the program is running its loop');
  const del = await call('DELETE', `/v1/sessions/${created.id}`);
  t.equal(del.status, 202);
  server.kill('SIGKILL');
  await once(server, 'exit');
  t.notOk(processGone(created.pid), 'the program outlived the server');
  const onDisk = JSON.parse(await readFile(join(stateDir, 'sessions', `${created.id}.json`), 'utf8'));
  t.equal(onDisk.status, 'ending', 'the record says a kill was under way');

  const next = await makeApp({ stateDir, command });
  t.teardown(async () => { await next.app.close(); await cleanup(next.work); });
  await next.app.sessions.whenRestored();
  t.ok(await waitGone(created.pid), 'the program was ended');
  t.ok(await waitGroupGone(created.pid), 'and nothing of its group is left');
  const back = (await next.inject('GET', `/v1/sessions/${created.id}`)).json;
  t.match(back, { status: 'exited', reason: 'killed', stateCause: 'kill', restarts: 0 });
  t.equal(back.pid, created.pid, 'no new process was started for it');
});

t.test('a session killed while it waits to be resumed after a restart is not started again', async (t) => {
  const first = await makeApp();
  t.teardown(() => cleanup(first.stateDir, first.work));
  const created = await first.inject('POST', '/v1/sessions', { workDir: first.work, agent: 'command' });
  const id = created.json.id as string;
  await waitState(first.app, id, 'idle');
  await first.app.close();

  // Never listening, the app resumes only after this wait: the kill comes first.
  const second = await makeApp({ stateDir: first.stateDir, sessions: { restoreListenWaitMs: 1500 } });
  t.teardown(async () => { await second.app.close(); await cleanup(second.work); });
  const del = await second.inject('DELETE', `/v1/sessions/${id}`);
  t.match(del.json, { status: /^(ending|exited)$/ });
  await second.app.sessions.whenRestored();
  const back = (await second.inject('GET', `/v1/sessions/${id}`)).json;
  t.match(back, { status: 'exited', reason: 'killed', restarts: 0 });
  t.equal(back.pid, created.json.pid, 'no new process was started');
});
