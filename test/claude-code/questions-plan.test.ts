import t from 'tap';
import { reply, toolResults } from '../support/model-server.js';
import { makeApp, makeWorld, turn, waitState } from './world.js';

const world = await makeWorld(t, 2);
const { app, call } = await makeApp(t, world);
t.jobs = 2;

const question = {
  question: 'Which database should we use?', header: 'Database',
  options: [{ label: 'Postgres', description: 'Relational' }, { label: 'SQLite', description: 'Embedded' }],
};

t.test('a question shows as ask_question with its options; the chosen option and typed text reach the model', { buffered: true }, async (t) => {
  const first = 'ask: pick a database';
  world.conversations.script(first, [
    reply.askUserQuestion(question), reply.text('noted your choice'),
    reply.askUserQuestion(question), reply.text('noted your words'),
  ]);
  const id = (await call('POST', '/v1/sessions', { workDir: world.trusted[0], prompt: first })).json.id as string;
  const view = await waitState(app, id, 'ask_question');
  t.same(view.pendingQuestion, {
    question: 'Which database should we use?', header: 'Database',
    options: [{ number: 1, label: 'Postgres', description: 'Relational' }, { number: 2, label: 'SQLite', description: 'Embedded' }],
  });
  t.equal((await call('POST', `/v1/sessions/${id}/answer`, { option: 5 })).json.code, 'AEGIS_ERR_SESSION_INVALID_OPTION');
  t.equal((await call('POST', `/v1/sessions/${id}/answer`, { option: 2 })).status, 200);
  const answered = await turn(world, first, 2);
  t.match(toolResults(answered.body).at(-1)?.text, /"Which database should we use\?"="SQLite"/);
  await waitState(app, id, 'idle');

  await call('POST', `/v1/sessions/${id}/send`, { text: 'ask again' });
  await waitState(app, id, 'ask_question');
  t.equal((await call('POST', `/v1/sessions/${id}/answer`, { text: 'MongoDB, please' })).status, 200);
  const typed = await turn(world, first, 4);
  t.match(toolResults(typed.body).at(-1)?.text, /"Which database should we use\?"="MongoDB, please"/);
  await waitState(app, id, 'idle');
  t.equal((await call('POST', `/v1/sessions/${id}/answer`, { option: 1 })).json.code, 'AEGIS_ERR_SESSION_NO_QUESTION');
  await call('DELETE', `/v1/sessions/${id}`);
});

t.test('in plan mode the plan menu is plan_mode; approve picks manual approval (not auto mode) and the plan runs', { buffered: true }, async (t) => {
  const first = 'plan: make a plan';
  world.conversations.script(first, [reply.exitPlanMode('# Plan\n\n1. Create out.txt\n2. Verify it'), reply.text('executing the plan')]);
  const res = await call('POST', '/v1/sessions', { workDir: world.trusted[1], prompt: first, permissionMode: 'plan' });
  t.equal(res.json.permissionMode, 'plan');
  const view = await waitState(app, res.json.id, 'plan_mode');
  t.match(view.pendingPermission, { kind: 'plan', tool: 'ExitPlanMode', detail: /1\. Create out\.txt/ });
  t.same(view.pendingPermission!.options.map((o) => o.label), ['Yes, and use auto mode', 'Yes, manually approve edits', 'Tell Claude what to change']);
  t.equal((await call('POST', `/v1/sessions/${res.json.id}/approve`, {})).status, 200);
  const after = await turn(world, first, 3);
  const result = toolResults(after.body).at(-1);
  t.match(result?.text, /approved/i);
  t.notOk(result?.is_error);
  await waitState(app, res.json.id, 'idle');
  const pane = (await call('GET', `/v1/sessions/${res.json.id}/pane`)).json.text as string;
  t.match(pane, /executing the plan/);
  t.notMatch(pane, /auto mode on/, 'least privilege: edits are still asked for');
  await call('DELETE', `/v1/sessions/${res.json.id}`);
});
