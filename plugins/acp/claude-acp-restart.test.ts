import t from 'tap';
import { reply, userTexts } from '../../test/support/model-server.js';
import { acpApp, claudeSandbox, nextEvent, removeAll, scratch, waitGone, waitState } from './test-helpers.js';

const { model, work, acp } = await claudeSandbox(t);

t.test('a slow claude-acp reply keeps the session working until interrupt; then it is idle', async (t) => {
  const state = await scratch('aegis-claude-acp-int-');
  const { app, call } = await acpApp(state, acp);
  t.teardown(async () => { await app.close(); await removeAll(state); });
  const id = (await call('POST', '/v1/sessions', { agent: 'claude-acp', workDir: work, reuse: false })).json.id as string;
  model.script([reply.slowText('word '.repeat(400), { chunkDelayMs: 50, chunkSize: 5 })]);
  const streaming = model.waitForTurn(model.turns.length + 1, 60000);
  await call('POST', `/v1/sessions/${id}/send`, { text: 'tell me a long story' });
  await streaming;
  t.equal(app.sessions.get(id)!.status, 'working');
  const idle = nextEvent(app, 'session.state-changed', (p) => p.sessionId === id && p.to === 'idle', 30000);
  t.equal((await call('POST', `/v1/sessions/${id}/interrupt`, {})).status, 200);
  t.equal((await idle).cause, 'acp:stop:cancelled');
  model.script([reply.text('Still here')]);
  const again = nextEvent(app, 'session.state-changed', (p) => p.sessionId === id && p.to === 'idle', 60000);
  await call('POST', `/v1/sessions/${id}/send`, { text: 'are you there?' });
  await again;
  const entries = (await call('GET', `/v1/sessions/${id}/transcript`)).json.entries;
  t.equal(entries.at(-1).text, 'Still here', `the session takes the next message: ${JSON.stringify(entries.slice(-4))}`);
});

t.test('after an Aegis restart claude-acp resumes its conversation: the model receives the earlier messages', async (t) => {
  const state = await scratch('aegis-claude-acp-restart-');
  t.teardown(() => removeAll(state));
  const first = await acpApp(state, acp);
  model.script([reply.text('Noted: pineapple')]);
  const res = await first.call('POST', '/v1/sessions', { agent: 'claude-acp', workDir: work, reuse: false, prompt: 'Remember the word pineapple' });
  const id = res.json.id as string;
  await waitState(first.app, id, 'idle', 60000);
  const agentSessionId = first.app.sessions.get(id)!.agentSessionId;
  const oldPid = first.app.sessions.get(id)!.pid!;
  await first.app.close();
  t.ok(await waitGone(oldPid), 'the agent stopped with the server');

  const second = await acpApp(state, acp);
  t.teardown(() => second.app.close());
  const back = await waitState(second.app, id, 'idle', 60000);
  t.match(back, { agentSessionId, restarts: 1, stateCause: 'acp:resumed' });
  model.script([reply.text('The word was pineapple')]);
  const turn = model.waitForRequest((r) => r.kind === 'turn' && userTexts(r.body).some((x) => x.includes('Which word?')), 60000);
  const idle = waitState(second.app, id, 'working').then(() => waitState(second.app, id, 'idle', 60000));
  await second.call('POST', `/v1/sessions/${id}/send`, { text: 'Which word?' });
  const request = await turn;
  await idle;
  const said = userTexts(request.body).join('\n');
  t.match(said, /Remember the word pineapple/, 'the earlier message is in the next request');
  t.ok(JSON.stringify(request.body.messages).includes('Noted: pineapple'), 'and so is the earlier answer');
  const entries = (await second.call('GET', `/v1/sessions/${id}/transcript`)).json.entries;
  t.same(entries.map((e: { role: string; text: string }) => [e.role, e.text]), [
    ['user', 'Remember the word pineapple'], ['assistant', 'Noted: pineapple'], ['user', 'Which word?'], ['assistant', 'The word was pineapple'],
  ], 'our transcript is kept and continued');
});
