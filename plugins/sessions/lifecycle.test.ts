import t from 'tap';
import { readFile } from 'node:fs/promises';
import { cleanup, makeApp, nextEvent, pollUntil, waitForText, waitGone, waitGroupGone, waitState, type TestApp } from './test-helpers.js';

let h: TestApp;
t.before(async () => { h = await makeApp({ sessions: { requestEnv: ['FOO'] } }); });
t.teardown(async () => {
  await h.app.close();
  await cleanup(h.stateDir, h.work);
});

t.test('a command session goes idle, takes a message, shows the answer on the pane and goes idle again', async (t) => {
  const created = nextEvent(h.app, 'session.created', () => true);
  const res = await h.inject('POST', '/v1/sessions', { workDir: h.work, agent: 'command', name: 'echo' });
  t.equal(res.status, 201);
  t.equal(res.json.reused, false);
  t.equal(res.json.agent, 'command');
  t.equal(res.json.owner.principalId, 'master');
  t.type(res.json.pid, 'number');
  const id = res.json.id as string;
  t.equal((await created).sessionId, id);
  await waitState(h.app, id, 'idle');
  await waitForText(h.app, id, /ready/);

  const working = nextEvent(h.app, 'session.state-changed', (p) => p.sessionId === id && p.to === 'working');
  const sent = await h.inject('POST', `/v1/sessions/${id}/send`, { text: 'hello there' });
  t.same(sent.json, { delivered: true, attempts: 1 });
  const ev = await working;
  t.equal(ev.from, 'idle');
  t.equal(ev.cause, 'screen:output');
  t.ok(!Number.isNaN(Date.parse(ev.at)), 'at is an ISO time');
  t.equal(ev.tenantId, undefined);
  await waitForText(h.app, id, /got:hello there/);
  await waitState(h.app, id, 'idle');
  const pane = await h.inject('GET', `/v1/sessions/${id}/pane`);
  t.match(pane.json.text, /got:hello there/);
  t.equal(pane.json.cols, 120);
  t.equal(pane.json.rows, 40);
  t.type(pane.json.cursor.y, 'number');

  const got = await h.inject('GET', `/v1/sessions/${id}`);
  t.equal(got.json.status, 'idle');
  t.equal(got.json.stateCause, 'quiet');
  t.notOk('pendingPermission' in got.json);

  const metrics = (await h.inject('GET', `/v1/sessions/${id}/metrics`)).json;
  t.equal(metrics.messagesSent, 1);
  t.ok(metrics.stateChanges >= 4, 'starting->working->idle->working->idle');
  t.ok(metrics.timeInState.idle > 0);
  t.ok(metrics.ageMs > 0);

  const tr = (await h.inject('GET', `/v1/sessions/${id}/transcript`)).json;
  t.equal(tr.total, 1);
  t.match(tr.entries[0], { role: 'user', text: 'hello there', index: 0 });
  await h.inject('DELETE', `/v1/sessions/${id}`);
});

t.test('the session record is persisted with its state and no hook secret', async (t) => {
  const res = await h.inject('POST', '/v1/sessions', { workDir: h.work, agent: 'command', reuse: false });
  const id = res.json.id as string;
  await waitState(h.app, id, 'idle');
  await h.app.sessions.send(id, 'x');
  const secret = (await readFile(`${h.stateDir}/sessions/${id}.secret`, 'utf8')).trim();
  // kill resolves once the final record is on disk.
  await h.app.sessions.kill(id);
  const rec = JSON.parse(await readFile(`${h.stateDir}/sessions/${id}.json`, 'utf8'));
  t.equal(rec.id, id);
  t.equal(rec.status, 'exited');
  t.equal(rec.reason, 'killed');
  t.equal(rec.metrics.messagesSent, 1);
  t.notOk(JSON.stringify(rec).includes(secret), 'the secret is not in the record');
  t.notOk(JSON.stringify(res.json).includes(secret), 'nor in the response');
});

t.test('an idle session of the same owner, agent and workDir is reused', async (t) => {
  const first = await h.inject('POST', '/v1/sessions', { workDir: h.work, agent: 'command' });
  t.equal(first.status, 201);
  await waitState(h.app, first.json.id, 'idle');
  const again = await h.inject('POST', '/v1/sessions', { workDir: h.work, agent: 'command', prompt: 'second' });
  t.equal(again.status, 200);
  t.equal(again.json.reused, true);
  t.equal(again.json.id, first.json.id);
  t.match(await waitForText(h.app, first.json.id, /got:second/), /got:second/, 'the prompt went to the reused session');
  const fresh = await h.inject('POST', '/v1/sessions', { workDir: h.work, agent: 'command', reuse: false });
  t.equal(fresh.status, 201);
  t.not(fresh.json.id, first.json.id);
  const envDiffers = await h.inject('POST', '/v1/sessions', { workDir: h.work, agent: 'command', env: { FOO: '1' } });
  t.equal(envDiffers.status, 201, 'a different env is a different setup');
  for (const id of [first.json.id, fresh.json.id, envDiffers.json.id]) await h.app.sessions.kill(id);
});

t.test('a program that exits with code 3 is recorded as exited with that code', async (t) => {
  const exited = nextEvent(h.app, 'session.exited', () => true);
  const res = await h.inject('POST', '/v1/sessions', {
    workDir: h.work, agent: 'command', agentOptions: { command: 'bash', args: ['-c', 'echo bye; exit 3'] },
  });
  t.equal(res.status, 201);
  const ev = await exited;
  t.equal(ev.sessionId, res.json.id);
  t.equal(ev.exitCode, 3);
  const got = (await h.inject('GET', `/v1/sessions/${res.json.id}`)).json;
  t.equal(got.status, 'exited');
  t.equal(got.exitCode, 3);
  t.equal(got.reason, 'exited with code 3');
  const send = await h.inject('POST', `/v1/sessions/${res.json.id}/send`, { text: 'hi' });
  t.equal(send.status, 409);
  t.equal(send.json.code, 'AEGIS_ERR_SESSION_EXITED');
  t.match((await h.inject('GET', `/v1/sessions/${res.json.id}/pane`)).json.text, /bye/, 'the last screen stays readable');
});

t.test('deleting a session leaves neither the program nor its background child', async (t) => {
  const res = await h.inject('POST', '/v1/sessions', {
    workDir: h.work, agent: 'command',
    agentOptions: { command: 'bash', args: ['-c', 'sleep 1000 & echo "child:$!"; wait'] },
  });
  const id = res.json.id as string;
  const pid = res.json.pid as number;
  const child = Number(/child:(\d+)/.exec(await waitForText(h.app, id, /child:\d+/))?.[1]);
  t.ok(child > 0, 'the background child is running');
  t.doesNotThrow(() => process.kill(child, 0));
  const killed = nextEvent(h.app, 'session.killed', (p) => p.sessionId === id);
  const del = await h.inject('DELETE', `/v1/sessions/${id}?wait=true`);
  t.equal(del.status, 200);
  t.equal(del.json.status, 'exited');
  t.equal(del.json.reason, 'killed');
  t.equal((await killed).actorId, 'master');
  t.ok(await waitGone(pid), 'the program is gone');
  t.ok(await waitGone(child), 'its background child is gone');
  t.ok(await waitGroupGone(pid), 'nothing of the process group is left');
  const again = await h.inject('DELETE', `/v1/sessions/${id}`);
  t.equal(again.status, 200, 'deleting an exited session changes nothing');
});

t.test('a program that ignores SIGTERM is killed after the grace period', async (t) => {
  const res = await h.inject('POST', '/v1/sessions', {
    workDir: h.work, agent: 'command',
    agentOptions: { command: 'bash', args: ['-c', "trap '' TERM; echo stubborn; while true; do sleep 0.05; done"] },
  });
  await waitState(h.app, res.json.id, 'idle');
  const t0 = Date.now();
  const del = await h.inject('DELETE', `/v1/sessions/${res.json.id}?wait=true`);
  t.equal(del.json.status, 'exited');
  t.ok(Date.now() - t0 >= 900, 'waited for the grace period first');
  t.ok(await waitGone(res.json.pid));
});

t.test('list pages by offset and cursor and filters by status', async (t) => {
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) ids.push((await h.inject('POST', '/v1/sessions', { workDir: h.work, agent: 'command', reuse: false })).json.id);
  const all = (await h.inject('GET', '/v1/sessions?limit=500')).json;
  const live = (await h.inject('GET', '/v1/sessions?status=exited')).json;
  t.ok(live.sessions.every((s: { status: string }) => s.status === 'exited'));
  const p1 = (await h.inject('GET', '/v1/sessions?limit=2')).json;
  t.equal(p1.sessions.length, 2);
  t.equal(p1.total, all.total);
  t.type(p1.nextCursor, 'string');
  const p2 = (await h.inject('GET', `/v1/sessions?limit=2&cursor=${p1.nextCursor}`)).json;
  t.same(p2.sessions[0].id, all.sessions[2].id, 'the cursor continues after the first page');
  const byOffset = (await h.inject('GET', '/v1/sessions?limit=2&offset=2')).json;
  t.same(byOffset.sessions.map((s: { id: string }) => s.id), p2.sessions.map((s: { id: string }) => s.id));
  for (const id of ids) await h.app.sessions.kill(id);
});

t.test('handshake lists the agents with their capabilities, the states and the permission modes', async (t) => {
  const res = await h.inject('POST', '/v1/handshake');
  t.equal(res.status, 200);
  t.match(res.json.agents, [{ name: 'command', capabilities: { resume: true, permissions: false } }]);
  t.ok(res.json.states.includes('permission_prompt'));
  t.same(res.json.permissionModes, ['default', 'acceptEdits', 'plan', 'bypassPermissions', 'dontAsk']);
  t.type(res.json.version, 'string');
});

t.test('a message counted while the agent prints nothing still reaches the record on disk by shutdown', async (t) => {
  const silent = await makeApp({ command: { command: 'bash', args: ['-c', 'stty -echo; echo ready; while IFS= read -r l; do :; done'] } });
  t.teardown(() => cleanup(silent.stateDir, silent.work));
  const id = (await silent.inject('POST', '/v1/sessions', { workDir: silent.work, agent: 'command' })).json.id as string;
  await waitState(silent.app, id, 'idle');
  t.equal((await silent.inject('POST', `/v1/sessions/${id}/send`, { text: 'quiet' })).status, 200);
  await silent.app.close();
  const onDisk = JSON.parse(await readFile(`${silent.stateDir}/sessions/${id}.json`, 'utf8'));
  t.equal(onDisk.metrics.messagesSent, 1);
  t.equal(onDisk.status, 'idle', 'no state change carried it');
});

t.test('moves between live states wait for a later write; ending and exited reach the disk at once', async (t) => {
  const lazy = await makeApp({ sessions: { lazySaveMs: 60_000 } });
  t.teardown(async () => { await lazy.app.close(); await cleanup(lazy.stateDir, lazy.work); });
  const file = `${lazy.stateDir}/sessions/`;
  const onDisk = async (id: string) => JSON.parse(await readFile(`${file}${id}.json`, 'utf8')) as { status: string };
  const id = (await lazy.inject('POST', '/v1/sessions', { workDir: lazy.work, agent: 'command' })).json.id as string;
  await waitState(lazy.app, id, 'idle');
  const before = (await onDisk(id)).status;
  t.not(before, 'idle', 'becoming idle wrote nothing yet');
  await lazy.inject('POST', `/v1/sessions/${id}/send`, { text: 'flip' });
  await waitForText(lazy.app, id, /got:flip/);
  await waitState(lazy.app, id, 'idle');
  t.equal((await onDisk(id)).status, before, 'a working -> idle round trip wrote nothing');
  const res = await lazy.inject('DELETE', `/v1/sessions/${id}`);
  t.ok(['ending', 'exited'].includes(res.json.status), `DELETE answered ${res.json.status}`);
  t.ok(['ending', 'exited'].includes((await onDisk(id)).status), 'the kill is on disk when DELETE answers');
  await waitState(lazy.app, id, 'exited');
  t.ok(await pollUntil(async () => (await onDisk(id)).status === 'exited'), 'exited follows without waiting for lazySaveMs');
});
