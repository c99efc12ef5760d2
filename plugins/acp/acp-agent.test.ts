import t, { type Test } from 'tap';
import { existsSync } from 'node:fs';
import { readFile, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { acpApp, fixture, nextEvent, removeAll, scratch, waitState } from './test-helpers.js';

const state = await scratch('aegis-acp-state-');
const { app, call } = await acpApp(state, { ...fixture('acp-agent'), requestTimeoutMs: 5000 });
t.teardown(async () => { await app.close(); await removeAll(state); });

/** A fresh workDir and helpers; all tests share one app with the well-behaved fixture as `acp`. */
async function setup(t: Test) {
  const work = await scratch('aegis-acp-work-');
  t.teardown(() => removeAll(work));
  const create = async (prompt?: string) => {
    const res = await call('POST', '/v1/sessions', { agent: 'acp', workDir: work, reuse: false, ...(prompt ? { prompt } : {}) });
    t.equal(res.status, 201, 'created');
    const id = res.json.id as string;
    t.teardown(() => call('DELETE', `/v1/sessions/${id}`));
    return id;
  };
  const entries = async (id: string) => (await call('GET', `/v1/sessions/${id}/transcript`)).json.entries as Array<{ role: string; text: string; toolName?: string }>;
  const send = async (id: string, text: string) => t.equal((await call('POST', `/v1/sessions/${id}/send`, { text })).status, 200, `sent ${text}`);
  return { app, call, work, create, entries, send };
}

t.test('an ACP session answers, records one assistant entry for the turn and reports usage and cost', async (t) => {
  const { app, call, create, entries } = await setup(t);
  const id = await create('hello world');
  await waitState(app, id, 'idle');
  t.same((await entries(id)).map((e) => [e.role, e.text]), [['user', 'hello world'], ['assistant', 'echo: hello world']]);
  const view = (await call('GET', `/v1/sessions/${id}`)).json;
  t.match(view, { status: 'idle', stateCause: 'acp:stop:end_turn', agentSessionId: /^fx-/ });
  const metrics = (await call('GET', `/v1/sessions/${id}/metrics`)).json;
  t.same(metrics.usage, { inputTokens: 10, outputTokens: 5, cacheReadTokens: 1, cacheCreationTokens: 2, costUsd: 0.01 });
});

t.test('a permission request holds the session in permission_prompt with the agent options; approve allows once', async (t) => {
  const { app, call, work, create, entries, send } = await setup(t);
  const id = await create();
  const asked = nextEvent(app, 'permission.requested', (p) => p.sessionId === id);
  await send(id, 'write a.txt hi there');
  const { permission } = await asked;
  t.same(permission, {
    kind: 'tool', tool: 'edit', detail: join(work, 'a.txt'),
    options: [
      { number: 1, label: 'Always allow', id: 'always', kind: 'allow_always' },
      { number: 2, label: 'Allow', id: 'once', kind: 'allow_once' },
      { number: 3, label: 'Reject', id: 'no', kind: 'reject_once' },
    ],
  });
  t.same((await call('GET', `/v1/sessions/${id}`)).json.pendingPermission, permission);
  t.equal(app.sessions.get(id)!.status, 'permission_prompt');
  const idle = waitState(app, id, 'idle');
  t.equal((await call('POST', `/v1/sessions/${id}/approve`, {})).status, 200);
  await idle;
  t.equal(await readFile(join(work, 'a.txt'), 'utf8'), 'hi there');
  t.same((await entries(id)).slice(1).map((e) => [e.role, e.text]), [['tool_use', 'Write a.txt'], ['tool_result', 'wrote a.txt'], ['assistant', 'wrote a.txt']]);
  t.same((await call('GET', `/v1/sessions/${id}/metrics`)).json.toolCalls, { total: 1, byName: { edit: 1 } });
  t.equal((await call('POST', `/v1/sessions/${id}/approve`, {})).json.code, 'AEGIS_ERR_SESSION_NOTHING_PENDING');
});

t.test('reject answers reject_once and the tool does not run', async (t) => {
  const { app, call, work, create, entries, send } = await setup(t);
  const id = await create();
  await send(id, 'write b.txt nope');
  await waitState(app, id, 'permission_prompt');
  const idle = waitState(app, id, 'idle');
  t.equal((await call('POST', `/v1/sessions/${id}/reject`, {})).status, 200);
  await idle;
  t.notOk(existsSync(join(work, 'b.txt')));
  t.match((await entries(id)).find((e) => e.role === 'tool_result'), { text: 'failed: rejected by the user' });
  t.equal((await call('POST', `/v1/sessions/${id}/approve`, { option: 9 })).json.code, 'AEGIS_ERR_SESSION_NOTHING_PENDING');
});

t.test('an option number outside the offered ones is refused while the permission stays pending', async (t) => {
  const { app, call, create, send } = await setup(t);
  const id = await create();
  await send(id, 'write c.txt x');
  await waitState(app, id, 'permission_prompt');
  t.equal((await call('POST', `/v1/sessions/${id}/approve`, { option: 4 })).json.code, 'AEGIS_ERR_SESSION_INVALID_OPTION');
  const idle = waitState(app, id, 'idle');
  t.equal((await call('POST', `/v1/sessions/${id}/approve`, { option: 1 })).status, 200);
  await idle;
});

t.test('file requests outside the workDir are declined with ACP_PATH_OUTSIDE_WORKDIR, inside ones served', async (t) => {
  const { app, work, create, entries, send } = await setup(t);
  const outside = await scratch('aegis-acp-outside-');
  t.teardown(() => removeAll(outside));
  await writeFile(join(outside, 'secret.txt'), 'secret');
  await writeFile(join(work, 'mine.txt'), 'mine');
  await symlink(outside, join(work, 'door'));
  const id = await create();
  for (const path of [join(outside, 'secret.txt'), join(work, 'door', 'secret.txt'), join(work, 'mine.txt')]) {
    const idle = nextEvent(app, 'session.state-changed', (p) => p.sessionId === id && p.to === 'idle');
    await send(id, `read ${path}`);
    await idle;
  }
  const replies = (await entries(id)).filter((e) => e.role === 'assistant').map((e) => e.text);
  t.match(replies[0], /^error: -32602 .*AEGIS_ERR_ACP_PATH_OUTSIDE_WORKDIR/);
  t.match(replies[1], /^error: -32602 .*AEGIS_ERR_ACP_PATH_OUTSIDE_WORKDIR/);
  t.equal(replies[2], 'content: mine');
});

t.test('an agent asking for a 1 GiB file gets an error, the server keeps its memory and keeps answering', async (t) => {
  const { app, call, work, create, entries, send } = await setup(t);
  const huge = join(work, 'huge.bin');
  await writeFile(huge, 'x');
  await truncate(huge, 1024 ** 3);
  const id = await create();
  const before = process.memoryUsage().rss;
  const idle = nextEvent(app, 'session.state-changed', (p) => p.sessionId === id && p.to === 'idle');
  await send(id, `read ${huge}`);
  await idle;
  const grew = process.memoryUsage().rss - before;
  t.comment(`server RSS grew ${(grew / 1048576).toFixed(1)} MiB while refusing a 1 GiB read`);
  const replies = (await entries(id)).filter((e) => e.role === 'assistant').map((e) => e.text);
  t.match(replies.at(-1), /^error: -32602/);
  t.ok(grew < 512 * 1048576, 'the file was never loaded whole');
  t.equal((await call('GET', '/v1/health')).status, 200);
});

t.test('terminal requests run the command inside the workDir once approved', async (t) => {
  const { app, call, work, create, entries, send } = await setup(t);
  const id = await create();
  await send(id, 'run pwd');
  await waitState(app, id, 'permission_prompt');
  t.match((await call('GET', `/v1/sessions/${id}`)).json.pendingPermission, { tool: 'execute', detail: 'pwd' });
  const idle = waitState(app, id, 'idle');
  await call('POST', `/v1/sessions/${id}/approve`, {});
  await idle;
  t.equal((await entries(id)).at(-1)!.text, `exit 0: ${work}`);
});

t.test('interrupt sends session/cancel: a running prompt ends and the session is idle again', async (t) => {
  const { app, call, create, send } = await setup(t);
  const id = await create();
  const working = waitState(app, id, 'working');
  await send(id, 'slow');
  await working;
  const idle = nextEvent(app, 'session.state-changed', (p) => p.sessionId === id && p.to === 'idle');
  t.equal((await call('POST', `/v1/sessions/${id}/interrupt`, {})).status, 200);
  t.equal((await idle).cause, 'acp:stop:cancelled');
  t.equal((await call('GET', `/v1/sessions/${id}/metrics`)).json.interrupts, 1);
});

t.test('interrupt while a permission is held answers it cancelled and ends the turn', async (t) => {
  const { app, call, work, create, send } = await setup(t);
  const id = await create();
  await send(id, 'write d.txt x');
  await waitState(app, id, 'permission_prompt');
  const idle = nextEvent(app, 'session.state-changed', (p) => p.sessionId === id && p.to === 'idle');
  await call('POST', `/v1/sessions/${id}/interrupt`, {});
  t.equal((await idle).cause, 'acp:stop:cancelled');
  t.notOk(existsSync(join(work, 'd.txt')));
  t.notOk((await call('GET', `/v1/sessions/${id}`)).json.pendingPermission);
});

t.test('thoughts and plans are kept as system entries', async (t) => {
  const { app, create, entries } = await setup(t);
  const id = await create('plan');
  await waitState(app, id, 'idle');
  t.same((await entries(id)).map((e) => [e.role, e.text]), [
    ['user', 'plan'], ['system', 'Thinking: let me think'], ['system', 'Plan:\n[pending] step one'], ['assistant', 'planned'],
  ]);
});

t.test('a message sent while a turn runs is queued and delivered after it, in order', async (t) => {
  const { app, call, create, entries, send } = await setup(t);
  const id = await create();
  await send(id, 'write e.txt x');
  await waitState(app, id, 'permission_prompt');
  await send(id, 'second');
  let idles = 0;
  const bothDone = nextEvent(app, 'session.state-changed', (p) => p.sessionId === id && p.to === 'idle' && ++idles === 2);
  await call('POST', `/v1/sessions/${id}/approve`, {});
  await bothDone;
  t.same((await entries(id)).map((e) => [e.role, e.text]), [
    ['user', 'write e.txt x'], ['tool_use', 'Write e.txt'], ['user', 'second'], ['tool_result', 'wrote e.txt'],
    ['assistant', 'wrote e.txt'], ['assistant', 'echo: second'],
  ]);
});

t.test('a prompt the agent fails puts the session in error with the reason; the next message works', async (t) => {
  const { app, create, entries, send } = await setup(t);
  const id = await create();
  const error = nextEvent(app, 'session.state-changed', (p) => p.sessionId === id && p.to === 'error');
  await send(id, 'fail');
  t.match((await error).cause, /^acp:prompt-failed: .*asked to fail/);
  const idle = waitState(app, id, 'idle');
  await send(id, 'again');
  await idle;
  t.equal((await entries(id)).at(-1)!.text, 'echo: again');
});

t.test('agentOptions pick a configured program and are checked', async (t) => {
  const { call, work } = await setup(t);
  const bad = await call('POST', '/v1/sessions', { agent: 'acp', workDir: work, agentOptions: { agent: 'nope' } });
  t.equal(bad.json.code, 'AEGIS_ERR_ACP_UNKNOWN_AGENT');
  const extra = await call('POST', '/v1/sessions', { agent: 'acp', workDir: work, agentOptions: { command: '/bin/sh' } });
  t.equal(extra.json.code, 'AEGIS_ERR_ACP_INVALID_OPTIONS');
  const claude = await call('POST', '/v1/sessions', { agent: 'claude-acp', workDir: work, agentOptions: { x: 1 } });
  t.equal(claude.json.code, 'AEGIS_ERR_SESSION_AGENT_OPTIONS_UNSUPPORTED');
});
