import t from 'tap';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { reply, promptTexts } from '../support/model-server.js';
import { makeApp, makeWorld, nextEvent, turn, waitState } from './world.js';
import { groupGone, processGone, waitGone, waitGroupGone } from '../support/process.js';
import { pollUntil } from '../support/wait.js';

const world = await makeWorld(t, 3);
const { app, call } = await makeApp(t, world);
t.jobs = 2;

const entries = async (id: string) => ((await call('GET', `/v1/sessions/${id}/transcript`)).json.entries as Array<{ role: string; text: string }>)
  .map((e) => [e.role, e.text]);

t.test('a prompt at create is answered into the transcript and the session goes idle; a sent message gets the next answer', { buffered: true }, async (t) => {
  const first = 'chat: say hello';
  world.conversations.script(first, [reply.text('Hello from the fake model.'), reply.text('Second answer.')]);
  const res = await call('POST', '/v1/sessions', { workDir: world.trusted[0], prompt: first });
  t.equal(res.status, 201);
  t.match(res.json, { agent: 'claude-code', agentSessionId: /^[0-9a-f-]{36}$/ });
  await turn(world, first, 1);
  await waitState(app, res.json.id, 'idle');
  t.same(await entries(res.json.id), [['user', first], ['assistant', 'Hello from the fake model.']], 'the reply is in the transcript once idle');

  const sent = await call('POST', `/v1/sessions/${res.json.id}/send`, { text: 'line one\nline two' });
  t.same(sent.json, { delivered: true, attempts: 1 });
  const second = await turn(world, first, 2);
  t.same(promptTexts(second.body).slice(-1), ['line one\nline two'], 'a multi-line message arrives whole, as one prompt');
  await waitState(app, res.json.id, 'idle');
  t.same((await entries(res.json.id)).slice(2), [['user', 'line one\nline two'], ['assistant', 'Second answer.']]);
  const metrics = (await call('GET', `/v1/sessions/${res.json.id}/metrics`)).json;
  t.ok(metrics.usage.inputTokens > 0 && metrics.usage.outputTokens > 0, 'usage is summed from the transcript');

  const pid = res.json.pid as number;
  const deleted = await call('DELETE', `/v1/sessions/${res.json.id}?wait=true`);
  t.match(deleted.json, { status: 'exited', reason: 'killed' });
  t.ok(await waitGone(pid), 'the claude process is gone');
  t.ok(await waitGroupGone(pid), 'and nothing of its process group is left');
  t.ok(processGone(pid) && groupGone(pid));
});

t.test('a slow reply keeps the session working until interrupt; one Esc brings it back to idle and the next message goes in clean', { buffered: true }, async (t) => {
  const first = 'chat: go slow';
  world.conversations.script(first, [reply.slowText('not shown before the interrupt', { initialDelayMs: 10000 })]);
  const res = await call('POST', '/v1/sessions', { workDir: world.trusted[1], prompt: first });
  await turn(world, first, 1);
  await waitState(app, res.json.id, 'working');
  const idle = nextEvent(app, 'session.state-changed', (p) => p.sessionId === res.json.id && p.to === 'idle');
  t.equal((await call('POST', `/v1/sessions/${res.json.id}/interrupt`, {})).status, 200);
  t.match(await idle, { from: 'working', to: 'idle' });
  t.equal((await call('GET', `/v1/sessions/${res.json.id}/metrics`)).json.interrupts, 1);
  // Interrupted before any output, the CLI puts the prompt back into its input box.
  t.match((await call('GET', `/v1/sessions/${res.json.id}/pane`)).json.text, /❯\s*chat: go slow/);

  // The box is emptied before the next message, so the model gets only that message. It ends
  // in an API error (state error); the session still takes a message after it.
  const next = 'chat: after the interrupt';
  world.conversations.script(next, [reply.apiError(500, 'api_error'), reply.text('after the error')]);
  const errored = nextEvent(app, 'session.state-changed', (p) => p.sessionId === res.json.id && p.to === 'error');
  t.equal((await call('POST', `/v1/sessions/${res.json.id}/send`, { text: next })).json.delivered, true);
  t.same(promptTexts((await turn(world, next, 1)).body), [next], 'the put-back prompt was cleared first');
  t.match(await errored, { to: 'error' });
  t.equal((await call('POST', `/v1/sessions/${res.json.id}/send`, { text: 'once more' })).json.delivered, true);
  await turn(world, next, 2);
  await waitState(app, res.json.id, 'idle');
  t.same((await entries(res.json.id)).slice(-2), [['user', 'once more'], ['assistant', 'after the error']]);
  await call('DELETE', `/v1/sessions/${res.json.id}`);
});

t.test('with hooks off the screen alone carries a turn: working, idle, the reply in the transcript, tool calls counted', { buffered: true }, async (t) => {
  const bare = await makeApp(t, world, { hooks: false });
  const first = 'chat: no hooks';
  const notes = join(world.trusted[2]!, 'notes.txt');
  await writeFile(notes, 'some notes\n');
  world.conversations.script(first, [reply.read(notes), reply.text('read it, no hooks needed')]);
  const states: string[] = [];
  bare.app.events.on('session.state-changed', (p) => states.push(`${p.to}:${p.cause}@${Date.now() % 100000}`));
  const res = await bare.call('POST', '/v1/sessions', { workDir: world.trusted[2], prompt: first });
  t.equal(res.json.status !== 'exited', true);
  await turn(world, first, 2);
  await waitState(bare.app, res.json.id, 'idle');
  t.notOk(states.some((s) => s.includes(':hook:')), 'no hook took part');
  t.ok(states.some((s) => s.startsWith('working:screen')), 'the spinner made it working');
  const entries = (await bare.call('GET', `/v1/sessions/${res.json.id}/transcript`)).json.entries;
  t.equal(entries.at(-1)?.text, 'read it, no hooks needed', states.join(' '));
  // Tools are counted from the transcript as the turn ends, after the idle event; asked again, bounded.
  const metrics = async () => (await bare.call('GET', `/v1/sessions/${res.json.id}/metrics`)).json;
  await pollUntil(async () => (await metrics()).toolCalls.total > 0, 5000, 100);
  t.match((await metrics()).toolCalls, { total: 1, byName: { Read: 1 } });
  await bare.call('DELETE', `/v1/sessions/${res.json.id}`);
});
