import t from 'tap';
import fp from 'fastify-plugin';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AegisEvents, Catalogue } from '../../kernel/index.js';
import { TOKEN, cleanup, makeApp, startCrashServer, processGone, waitForText, waitGone, waitGroupGone, waitState } from './test-helpers.js';

type Restored = AegisEvents['session.restored'];

/** A catalogue entry that records `session.restored` events from the moment plugins load. */
function probe(seen: Restored[]): Catalogue {
  const plugin = fp(async (app) => { app.events.on('session.restored', (p) => seen.push(p)); }, { name: 'restore-probe' });
  return { 'restore-probe': { load: async () => ({ default: plugin }), enabledByDefault: true, description: 'test probe' } };
}

t.test('after a clean restart a live command session is back with the same id and its transcript', async (t) => {
  const first = await makeApp();
  const stateDir = first.stateDir;
  t.teardown(() => cleanup(stateDir, first.work));
  const created = await first.inject('POST', '/v1/sessions', { workDir: first.work, agent: 'command', name: 'keep' });
  const id = created.json.id as string;
  await waitState(first.app, id, 'idle');
  await first.app.sessions.send(id, 'before');
  await waitForText(first.app, id, /got:before/);
  await waitState(first.app, id, 'idle');
  await first.app.close();
  t.ok(await waitGone(created.json.pid), 'shutdown stopped the program');
  const onDisk = JSON.parse(await readFile(join(stateDir, 'sessions', `${id}.json`), 'utf8'));
  t.equal(onDisk.status, 'idle', 'shutdown keeps the state the session had, not exited');

  const seen: Restored[] = [];
  const second = await makeApp({ stateDir, extra: probe(seen) });
  await second.app.sessions.whenRestored();
  t.teardown(async () => { await second.app.close(); await cleanup(second.work); });
  t.match(seen, [{ sessionId: id, resumed: true }]);
  const back = (await second.inject('GET', `/v1/sessions/${id}`)).json;
  t.equal(back.id, id);
  t.equal(back.name, 'keep');
  t.equal(back.restarts, 1);
  t.not(back.status, 'exited');
  t.not(back.pid, created.json.pid, 'the program runs again');
  await second.inject('POST', `/v1/sessions/${id}/send`, { text: 'after' });
  t.match(await waitForText(second.app, id, /got:after/), /got:after/);
  const tr = (await second.inject('GET', `/v1/sessions/${id}/transcript`)).json;
  t.same(tr.entries.map((e: { id: string; text: string }) => [e.id, e.text]), [['t-0', 'before'], ['t-1', 'after']]);
  t.equal((await second.inject('GET', `/v1/sessions/${id}/metrics`)).json.restarts, 1);
});

t.test('with onRestart exit, a command session is marked exited with the reason after a restart', async (t) => {
  const first = await makeApp({ command: { onRestart: 'exit' } });
  t.teardown(() => cleanup(first.stateDir, first.work));
  const id = (await first.inject('POST', '/v1/sessions', { workDir: first.work, agent: 'command' })).json.id;
  await first.app.close();
  const seen: Restored[] = [];
  const second = await makeApp({ stateDir: first.stateDir, command: { onRestart: 'exit' }, extra: probe(seen) });
  await second.app.sessions.whenRestored();
  t.teardown(async () => { await second.app.close(); await cleanup(second.work); });
  const back = (await second.inject('GET', `/v1/sessions/${id}`)).json;
  t.equal(back.status, 'exited');
  t.match(back.reason, /cannot resume/);
  t.match(seen, [{ sessionId: id, resumed: false }]);
});

t.test('a session whose agent is no longer installed is kept, marked exited with the reason', async (t) => {
  const first = await makeApp();
  t.teardown(() => cleanup(first.stateDir, first.work));
  const id = (await first.inject('POST', '/v1/sessions', { workDir: first.work, agent: 'command' })).json.id;
  await first.app.close();
  const second = await makeApp({ stateDir: first.stateDir, command: false });
  await second.app.sessions.whenRestored();
  t.teardown(async () => { await second.app.close(); await cleanup(second.work); });
  const back = (await second.inject('GET', `/v1/sessions/${id}`)).json;
  t.equal(back.status, 'exited');
  t.equal(back.reason, 'agent command is not available');
});

t.test('after a kill -9 of the server, the orphaned agent group is ended and the session resumes', async (t) => {
  const stateDir = await mkdtemp(join(tmpdir(), 'aegis-sessions-crash-'));
  t.teardown(() => cleanup(stateDir));
  // Ignoring SIGHUP keeps the agent and its child alive when the dead server's PTY closes.
  const command = { command: 'bash', args: ['-c', `trap '' HUP; sleep 1000 & echo "child:$!"; wait`] };
  const { server, port, work } = await startCrashServer(t, { AEGIS_TEST_STATE_DIR: stateDir, AEGIS_TEST_COMMAND: JSON.stringify(command) });
  const res = await fetch(`http://127.0.0.1:${port}/v1/sessions`, {
    method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ workDir: work, agent: 'command' }),
  });
  const created = await res.json() as { id: string; pid: number };
  t.equal(res.status, 201);

  server.kill('SIGKILL');
  await once(server, 'exit');
  t.notOk(processGone(created.pid), 'the agent outlived the server');
  const onDisk = JSON.parse(await readFile(join(stateDir, 'sessions', `${created.id}.json`), 'utf8'));
  t.equal(onDisk.pid, created.pid, 'the record names the orphan');
  t.equal(onDisk.serverPid, server.pid);

  const next = await makeApp({ stateDir, command });
  await next.app.sessions.whenRestored();
  t.teardown(async () => { await next.app.close(); await cleanup(next.work); });
  t.ok(await waitGone(created.pid), 'the orphaned agent was ended');
  t.ok(await waitGroupGone(created.pid), 'and nothing of its process group is left');
  const back = (await next.inject('GET', `/v1/sessions/${created.id}`)).json;
  t.equal(back.restarts, 1);
  t.not(back.status, 'exited');
  t.not(back.pid, created.pid);
  t.notOk(processGone(back.pid), 'the agent runs again under the new server');
});

t.test('after a crash every process group a session owned is reaped, but a reused pid is never signalled', async (t) => {
  const first = await makeApp();
  t.teardown(() => cleanup(first.stateDir, first.work));
  const id = (await first.inject('POST', '/v1/sessions', { workDir: first.work, agent: 'command' })).json.id as string;
  await first.app.close();

  const detached = (cmd: string) => { const c = spawn('bash', ['-c', cmd], { detached: true, stdio: 'ignore' }); c.unref(); return c.pid!; };
  const { pidStartTime } = await import('./process-group.js');
  // A terminal still running, led by its own command.
  const running = detached('exec sleep 1000');
  // A terminal whose leader exited while a background member lives on in its group.
  const leader = detached('sleep 1000 & echo $! > /dev/null; exit 0');
  const leaderStart = pidStartTime(leader);
  // An unrelated process whose pid the record names with another start time: a reused pid.
  const stranger = detached('exec sleep 1000');
  t.teardown(() => { for (const p of [running, leader, stranger]) { try { process.kill(-p, 'SIGKILL'); } catch { /* gone */ } } });
  await waitGone(leader);
  t.notOk(await waitGroupGone(leader, 200), 'the leaderless group still has a live member');

  const file = join(first.stateDir, 'sessions', `${id}.json`);
  const rec = JSON.parse(await readFile(file, 'utf8'));
  rec.groups = [
    { pgid: running, startTime: pidStartTime(running) },
    { pgid: leader, startTime: leaderStart },
    { pgid: stranger, startTime: 'not-its-start-time' },
  ];
  const { writeFile } = await import('node:fs/promises');
  await writeFile(file, JSON.stringify(rec));

  const second = await makeApp({ stateDir: first.stateDir });
  await second.app.sessions.whenRestored();
  t.teardown(async () => { await second.app.close(); await cleanup(second.work); });
  t.ok(await waitGroupGone(running), 'the running terminal was ended');
  t.ok(await waitGroupGone(leader), 'the members of a leaderless group were ended');
  t.notOk(processGone(stranger), 'the process whose start time differs was left alone');
});
