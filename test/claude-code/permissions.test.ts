import t from 'tap';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { reply, toolResults } from '../support/model-server.js';
import { makeApp, makeWorld, nextEvent, turn, waitState } from './world.js';

const world = await makeWorld(t, 3);
const { app, call } = await makeApp(t, world);
// The sessions are independent; running them side by side keeps the file short on two cores.
t.jobs = 3;

/** A command that needs approval (it writes a file; read-only commands run without a prompt). */
const writeCommand = (file: string) => `node -e "require('fs').writeFileSync('${file}','x')"`;

t.test('a Bash call waits in permission_prompt naming the command; approve runs it once and the session goes idle', { buffered: true }, async (t) => {
  const work = world.trusted[0]!;
  const first = 'perm: write ran.txt';
  world.conversations.script(first, [reply.bash(writeCommand('ran.txt'), 'Write ran.txt'), reply.text('wrote it')]);
  const asked = nextEvent(app, 'permission.requested', (p) => p.permission.detail.includes('ran.txt'));
  const id = (await call('POST', '/v1/sessions', { workDir: work, prompt: first })).json.id as string;
  const { permission } = await asked;
  const view = await waitState(app, id, 'permission_prompt');
  t.match(permission, { kind: 'tool', tool: 'Bash', detail: writeCommand('ran.txt') });
  // Read by meaning: releases differ in how many options there are and where they sit.
  const kinds = (view.pendingPermission?.options ?? []).map((o) => o.kind);
  t.match(view.pendingPermission?.options.find((o) => o.kind === 'allow_once'), { label: 'Yes' });
  t.ok(kinds.includes('allow_always') && kinds.includes('reject_once'), kinds.join(', '));
  if (world.claude.build === 'latest') t.ok(kinds.includes('mode_switch'), 'the switch to auto mode is marked, so approve never takes it');
  t.notOk(existsSync(join(work, 'ran.txt')), 'nothing ran before the approval');

  const bad = await call('POST', `/v1/sessions/${id}/approve`, { option: 7 });
  t.equal(bad.status, 400);
  t.equal(bad.json.code, 'AEGIS_ERR_SESSION_INVALID_OPTION');
  const busy = await call('POST', `/v1/sessions/${id}/send`, { text: 'not now' });
  t.equal(busy.status, 409);
  t.equal(busy.json.code, 'AEGIS_ERR_CLAUDE_DIALOG_OPEN');

  const modeSwitch = view.pendingPermission?.options.find((o) => o.kind === 'mode_switch');
  if (modeSwitch) {
    const refused = await call('POST', `/v1/sessions/${id}/approve`, { option: modeSwitch.number });
    t.equal(refused.json.code, 'AEGIS_ERR_CLAUDE_MODE_SWITCH_REFUSED', 'an option that changes the mode is never an approval');
  }
  t.equal((await call('POST', `/v1/sessions/${id}/approve`, {})).status, 200);
  const result = await turn(world, first, 2);
  await waitState(app, id, 'idle');
  t.ok(existsSync(join(work, 'ran.txt')), 'the command ran');
  t.match(toolResults(result.body).at(-1), { is_error: false });
  const metrics = (await call('GET', `/v1/sessions/${id}/metrics`)).json;
  t.match(metrics, { approvals: 1, toolCalls: { byName: { Bash: 1 } } });
  t.equal(app.sessions.get(id)!.pendingPermission, undefined, 'nothing is pending any more');
  await call('DELETE', `/v1/sessions/${id}`);
});

t.test('reject answers No: the command never runs and the turn ends idle', { buffered: true }, async (t) => {
  const work = world.trusted[1]!;
  const first = 'perm: do not write';
  world.conversations.script(first, [reply.bash(writeCommand('nope.txt'), 'Write nope.txt'), reply.text('understood')]);
  const id = (await call('POST', '/v1/sessions', { workDir: work, prompt: first })).json.id as string;
  await waitState(app, id, 'permission_prompt');
  t.equal((await call('POST', `/v1/sessions/${id}/reject`, {})).status, 200);
  await waitState(app, id, 'idle');
  t.notOk(existsSync(join(work, 'nope.txt')), 'the command did not run');
  // Rejecting ends the turn; the refusal reaches the model with the next message.
  await call('POST', `/v1/sessions/${id}/send`, { text: 'fine, stop' });
  const next = await turn(world, first, 2);
  t.match(toolResults(next.body).at(-1), { is_error: true, text: /doesn't want to proceed/ });
  t.equal((await call('POST', `/v1/sessions/${id}/reject`, {})).json.code, 'AEGIS_ERR_SESSION_NOTHING_PENDING');
  await waitState(app, id, 'idle');
  await call('DELETE', `/v1/sessions/${id}`);
});

t.test('the folder-trust dialog is a permission_prompt of kind trust; approving it reaches idle and the held prompt goes in', { buffered: true }, async (t) => {
  const first = 'trust: hello after trusting';
  world.conversations.script(first, [reply.text('glad to be trusted')]);
  const res = await call('POST', '/v1/sessions', { workDir: world.untrusted, prompt: first });
  t.equal(res.status, 201);
  const view = await waitState(app, res.json.id, 'permission_prompt');
  t.match(view.pendingPermission, {
    kind: 'trust', tool: 'trust', detail: world.untrusted,
  });
  t.same(view.pendingPermission!.options.map((o) => [o.label, o.kind]).sort(), [['No, exit', 'reject_once'], ['Yes, I trust this folder', 'allow_once']]);
  t.equal(world.model.turns.filter((r) => r.body && JSON.stringify(r.body).includes(first)).length, 0, 'the prompt waits for the dialog');
  t.equal((await call('POST', `/v1/sessions/${res.json.id}/approve`, {})).status, 200);
  await turn(world, first, 1);
  // The box was idle already before the held prompt went in, so idle alone does not say the turn ended.
  let entries: string[] = [];
  for (let i = 0; i < 100 && entries.length < 2; i++) {
    await waitState(app, res.json.id, 'idle');
    entries = (await call('GET', `/v1/sessions/${res.json.id}/transcript`)).json.entries.map((e: any) => e.text);
    if (entries.length < 2) await nextEvent(app, 'session.state-changed', (p) => p.sessionId === res.json.id, 1000).catch(() => undefined);
  }
  t.same(entries, [first, 'glad to be trusted']);
  await call('DELETE', `/v1/sessions/${res.json.id}`);
});
