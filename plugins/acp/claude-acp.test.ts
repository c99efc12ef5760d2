import t from 'tap';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { reply, toolResults } from '../../test/support/model-server.js';
import { claudeEnv } from './claude.js';
import { acpApp, claudeSandbox, nextEvent, removeAll, scratch, waitState } from './test-helpers.js';

const { model, work, acp } = await claudeSandbox(t);
const state = await scratch('aegis-claude-acp-state-');
const { app, call } = await acpApp(state, acp);
t.teardown(async () => { await app.close(); await removeAll(state); });

async function create(prompt?: string): Promise<string> {
  const res = await call('POST', '/v1/sessions', { agent: 'claude-acp', workDir: work, reuse: false, ...(prompt ? { prompt } : {}) });
  if (res.status !== 201) throw new Error(`create failed: ${JSON.stringify(res.json)}`);
  return res.json.id;
}
const entries = async (id: string) => (await call('GET', `/v1/sessions/${id}/transcript`)).json.entries as Array<{ role: string; text: string; toolName?: string }>;

t.test('claude-acp answers a prompt, goes idle and reports token usage and cost in its metrics', async (t) => {
  model.script([reply.text('Hello from the scripted model')]);
  const id = await create('say hello');
  await waitState(app, id, 'idle', 60000);
  t.match((await entries(id)).map((e) => [e.role, e.text]), [['user', 'say hello'], ['assistant', 'Hello from the scripted model']]);
  t.match(app.sessions.get(id), { status: 'idle', stateCause: 'acp:stop:end_turn', agentSessionId: /^[0-9a-f-]{36}$/ });
  const { usage } = (await call('GET', `/v1/sessions/${id}/metrics`)).json;
  t.ok(usage.inputTokens > 0 && usage.outputTokens > 0, `tokens counted (${usage.inputTokens} in, ${usage.outputTokens} out)`);
  t.ok(usage.costUsd > 0, `cost counted (${usage.costUsd} USD)`);
  await call('DELETE', `/v1/sessions/${id}`);
});

t.test('a Bash tool call holds claude-acp in permission_prompt with the agent options; approve runs it', async (t) => {
  const id = await create();
  model.script([reply.bash('touch made.txt', 'Make a file'), reply.text('Made it')]);
  const asked = nextEvent(app, 'permission.requested', (p) => p.sessionId === id, 60000);
  await call('POST', `/v1/sessions/${id}/send`, { text: 'make a file' });
  const { permission } = await asked;
  t.match(permission, { kind: 'tool', tool: 'Bash', detail: 'touch made.txt' });
  // The adapter's own options, numbered in its order, each with its id and ACP kind (which ones it
  // offers changes between adapter releases: read them by kind).
  const kinds = permission.options.map((o) => o.kind);
  t.ok(kinds.includes('allow_once') && kinds.includes('reject_once'), kinds.join(', '));
  t.ok(permission.options.every((o, i) => o.number === i + 1 && typeof o.id === 'string'), 'numbered, with the agent ids');
  t.equal(app.sessions.get(id)!.status, 'permission_prompt');
  const idle = waitState(app, id, 'idle', 60000);
  t.equal((await call('POST', `/v1/sessions/${id}/approve`, {})).status, 200);
  await idle;
  t.ok(existsSync(join(work, 'made.txt')), 'the command ran');
  const all = await entries(id);
  t.match(all.find((e) => e.role === 'tool_use'), { toolName: 'Bash', text: 'touch made.txt' });
  t.equal(all.at(-1)!.text, 'Made it');
  t.same((await call('GET', `/v1/sessions/${id}/metrics`)).json.toolCalls, { total: 1, byName: { Bash: 1 } });
  await call('DELETE', `/v1/sessions/${id}`);
});

t.test('reject answers the Bash permission with reject_once and the command does not run', async (t) => {
  const id = await create();
  model.script([reply.bash('touch rejected.txt', 'Make another file'), reply.text('Understood, not doing it')]);
  await call('POST', `/v1/sessions/${id}/send`, { text: 'make another file' });
  await waitState(app, id, 'permission_prompt', 60000);
  const idle = waitState(app, id, 'idle', 60000);
  t.equal((await call('POST', `/v1/sessions/${id}/reject`, {})).status, 200);
  await idle;
  t.notOk(existsSync(join(work, 'rejected.txt')), 'the command did not run');
  const last = model.turns.at(-1)!;
  t.ok(toolResults(last.body).some((r) => r.is_error), 'the model was told the tool was refused');
  t.equal((await entries(id)).at(-1)!.text, 'Understood, not doing it');
  await call('DELETE', `/v1/sessions/${id}`);
});

t.test('claude-acp gets IS_SANDBOX only when Aegis runs as root, and the CLI path when one is configured', async (t) => {
  t.same(claudeEnv({ enabled: true, args: [] }, 0), { IS_SANDBOX: '1' });
  t.same(claudeEnv({ enabled: true, args: [] }, 1000), {});
  t.same(claudeEnv({ enabled: true, args: [], executable: '/opt/claude' }, 1000), { CLAUDE_CODE_EXECUTABLE: '/opt/claude' });
});
