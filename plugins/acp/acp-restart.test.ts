import t from 'tap';
import { acpApp, fixture, removeAll, scratch, waitGone, waitState } from './test-helpers.js';

t.test('after a server restart an ACP session is loaded again: same agent session, transcript kept, no replay duplicated', async (t) => {
  const state = await scratch('aegis-acp-restart-state-');
  const work = await scratch('aegis-acp-restart-work-');
  t.teardown(() => removeAll(state, work));
  const options = { ...fixture('acp-agent') };

  const first = await acpApp(state, options);
  const res = await first.call('POST', '/v1/sessions', { agent: 'acp', workDir: work, prompt: 'before' });
  const id = res.json.id as string;
  await waitState(first.app, id, 'idle');
  const agentSessionId = first.app.sessions.get(id)!.agentSessionId;
  const oldPid = first.app.sessions.get(id)!.pid!;
  await first.app.close();
  t.ok(await waitGone(oldPid), 'the agent stopped with the server');

  const second = await acpApp(state, options);
  t.teardown(() => second.app.close());
  const back = await waitState(second.app, id, 'idle');
  t.match(back, { agentSessionId, restarts: 1, stateCause: 'acp:loaded' });
  t.not(back.pid, oldPid, 'a new agent process');
  const idle = waitState(second.app, id, 'working').then(() => waitState(second.app, id, 'idle'));
  await second.call('POST', `/v1/sessions/${id}/send`, { text: 'after' });
  await idle;
  const entries = (await second.call('GET', `/v1/sessions/${id}/transcript`)).json.entries;
  t.same(entries.map((e: { role: string; text: string }) => [e.role, e.text]), [
    ['user', 'before'], ['assistant', 'echo: before'], ['user', 'after'], ['assistant', 'echo: after'],
  ]);
});
