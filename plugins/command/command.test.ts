import t from 'tap';
import { cleanup, sessionsApp as makeApp, type SessionsTestApp as TestApp } from '../../test/support/app.js';
import { nextEvent, waitForText, waitState } from '../../test/support/wait.js';

let h: TestApp;
t.before(async () => { h = await makeApp(); });
t.teardown(async () => {
  await h.app.close();
  await cleanup(h.stateDir, h.work);
});

/** Creates a command session running `bash -c script` and waits until it is idle. */
async function run(script: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await h.inject('POST', '/v1/sessions', { workDir: h.work, agent: 'command', agentOptions: { command: 'bash', args: ['-c', script] }, ...extra });
  if (res.status !== 201) throw new Error(`create failed: ${res.raw}`);
  await waitState(h.app, res.json.id, 'idle');
  return res.json.id;
}

/** Runs `act`, then resolves with the screen once it matches `re`. */
async function after(id: string, act: () => Promise<unknown>, re: RegExp): Promise<string> {
  await act();
  return waitForText(h.app, id, re);
}

t.test('interrupt delivers Ctrl-C to the program as SIGINT', async (t) => {
  const id = await run('trap "echo caught-int" INT; echo ready; while true; do sleep 0.05; done');
  await t.resolves(after(id, () => h.inject('POST', `/v1/sessions/${id}/interrupt`), /caught-int/), 'the trap ran: the program got SIGINT');
  t.equal((await h.inject('GET', `/v1/sessions/${id}/metrics`)).json.interrupts, 1);
  await h.app.sessions.kill(id);
});

t.test('escape delivers a single ESC byte', async (t) => {
  const id = await run(`echo ready; while IFS= read -r -n1 c; do printf 'byte:%d\\n' "'$c"; done`);
  t.match(await after(id, () => h.inject('POST', `/v1/sessions/${id}/escape`), /byte:\d+/), /byte:27/);
  await h.app.sessions.kill(id);
});

t.test('a prompt given at create is typed into the program once it runs', async (t) => {
  const res = await h.inject('POST', '/v1/sessions', { workDir: h.work, agent: 'command', prompt: 'first words', reuse: false });
  await t.resolves(waitForText(h.app, res.json.id, /got:first words/), 'the program read the prompt as a line');
  t.equal((await h.inject('GET', `/v1/sessions/${res.json.id}/transcript?role=user`)).json.entries[0].text, 'first words');
  await h.app.sessions.kill(res.json.id);
});

t.test('the command agent has no prompts, so approve, reject and answer are refused with 409', async (t) => {
  const id = await run('echo ready; sleep 1000');
  for (const [path, code] of [['approve', 'AEGIS_ERR_SESSION_NOTHING_PENDING'], ['reject', 'AEGIS_ERR_SESSION_NOTHING_PENDING'], ['answer', 'AEGIS_ERR_SESSION_NO_QUESTION']]) {
    const res = await h.inject('POST', `/v1/sessions/${id}/${path}`, path === 'answer' ? { text: 'x' } : {});
    t.equal(res.status, 409, path);
    t.equal(res.json.code, code, path);
  }
  await h.app.sessions.kill(id);
});

t.test('agentOptions must name an allowed command with string args and nothing else', async (t) => {
  for (const agentOptions of [{ command: 'sh' }, { command: 'bash', args: [1] }, { command: 'bash', cwd: '/' }, { args: ['-x'] }]) {
    const res = await h.inject('POST', '/v1/sessions', { workDir: h.work, agent: 'command', agentOptions });
    t.equal(res.status, 400, JSON.stringify(agentOptions));
    t.equal(res.json.code, 'AEGIS_ERR_COMMAND_NOT_ALLOWED');
  }
});

t.test('without a configured command, a plain command session is refused with 400', async (t) => {
  const bare = await makeApp({ command: { command: undefined, args: undefined, allowedCommands: [] } });
  t.teardown(async () => { await bare.app.close(); await cleanup(bare.stateDir, bare.work); });
  const res = await bare.inject('POST', '/v1/sessions', { workDir: bare.work, agent: 'command' });
  t.equal(res.status, 400);
  t.equal(res.json.code, 'AEGIS_ERR_COMMAND_NOT_CONFIGURED');
});

t.test('a silent program still becomes idle after the quiet period', async (t) => {
  const res = await h.inject('POST', '/v1/sessions', { workDir: h.work, agent: 'command', agentOptions: { command: 'bash', args: ['-c', 'sleep 1000'] } });
  const ev = await nextEvent(h.app, 'session.state-changed', (p) => p.sessionId === res.json.id && p.to === 'idle');
  t.equal(ev.from, 'starting');
  t.equal(ev.cause, 'quiet');
  await h.app.sessions.kill(res.json.id);
});
