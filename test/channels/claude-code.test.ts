import t from 'tap';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKeyPairSync, sign } from 'node:crypto';
import { bearer, buildTestApp } from '../support/app.js';
import { startReceiver, type Received } from '../support/receiver.js';
import { reply } from '../support/model-server.js';
import { makeWorld, scratch, turn, waitState } from '../claude-code/world.js';
import { slackSignature } from '../../plugins/notify-slack/index.js';

const world = await makeWorld(t, 3);
t.jobs = 3;

const SIGNING = 'slack-signing-secret-for-e2e-0001';
const HOOK_SECRET = 'webhook-secret-for-e2e-00000001';
const discordKeys = generateKeyPairSync('ed25519');
const discordPublicHex = Buffer.from(discordKeys.publicKey.export({ format: 'jwk' }).x!, 'base64url').toString('hex');

const slack = await startReceiver();
const discord = await startReceiver();
const hook = await startReceiver();
discord.answer(() => ({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"id":"1"}' }));
t.teardown(() => Promise.all([slack.close(), discord.close(), hook.close()]));

const stateDir = await scratch('aegis-channels-state-');
const app = await buildTestApp({
  stateDir,
  plugins: {
    sessions: { killGraceMs: 2000, requestEnv: ['DEPLOY_CREDENTIAL'] },
    'claude-code': { env: world.env },
    notifications: { retryBaseMs: 50 },
    'notify-slack': { webhookUrl: slack.url + '/services/T/B/x', signingSecret: SIGNING, events: ['permission.requested'], allowPrivate: true },
    'notify-discord': { webhookUrl: discord.url + '/api/webhooks/1/t', publicKey: discordPublicHex, applicationId: '42', events: ['permission.requested'], allowPrivate: true },
    'notify-webhook': { endpoints: [{ url: hook.url + '/hook', secret: HOOK_SECRET, events: ['permission.*'] }], allowPrivate: true },
  },
});
await app.listen({ host: '127.0.0.1', port: 0 });
const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
t.teardown(async () => { await app.close(); await rm(stateDir, { recursive: true, force: true }); });

const call = async (method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown) => {
  const res = await app.inject({ method, url, headers: bearer(), ...(body === undefined ? {} : { payload: body as object }) });
  return { status: res.statusCode, json: res.json() as any };
};
const writeCommand = (file: string, text = 'x') => `node -e "require('fs').writeFileSync('${file}','${text}')"`;

/** The Slack message of the prompt whose command mentions `marker`, for session `id`. */
const slackMessageFor = (id: string, marker: string) => slack.waitFor((r) => {
  const actions = r.json?.blocks?.find((b: any) => b.type === 'actions');
  return !!actions && JSON.parse(actions.elements[0].value).s === id && r.body.includes(marker);
});
const button = (msg: Received, action: 'aegis.approve' | 'aegis.reject') =>
  msg.json.blocks.find((b: any) => b.type === 'actions').elements.find((e: any) => e.action_id === action);

/** Slack's real interaction request: a signed form body with a block_actions payload. */
async function slackClick(msg: Received, action: 'aegis.approve' | 'aegis.reject', opts: { secret?: string; ts?: number; responsePath?: string } = {}) {
  const payload = {
    type: 'block_actions', user: { id: 'U0ALICE', username: 'alice', team_id: 'T1' }, team: { id: 'T1', domain: 'acme' },
    api_app_id: 'A1', token: 'legacy-verification-token', trigger_id: '1.2.3', container: { type: 'message', message_ts: '1.1' },
    response_url: slack.url + (opts.responsePath ?? '/actions/r1'), message: { type: 'message', text: msg.json.text, blocks: msg.json.blocks },
    actions: [{ ...button(msg, action), block_id: 'aegis.permission', action_ts: String(Date.now() / 1000) }],
  };
  const body = 'payload=' + encodeURIComponent(JSON.stringify(payload));
  const ts = String(opts.ts ?? Math.floor(Date.now() / 1000));
  const res = await fetch(`${base}/v1/channels/slack/interactions`, {
    method: 'POST', body,
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': ts, 'x-slack-signature': slackSignature(opts.secret ?? SIGNING, ts, body) },
  });
  return { status: res.status, json: await res.json() as any };
}

t.test('a Slack button approves the real pending permission: the command runs, the message shows who decided, it is audited', { buffered: true }, async (t) => {
  const work = world.trusted[0]!;
  const first = 'channels: slack approves';
  world.conversations.script(first, [reply.bash(writeCommand('a.txt'), 'Write a.txt'), reply.bash(writeCommand('b.txt'), 'Write b.txt'), reply.text('both written')]);
  const id = (await call('POST', '/v1/sessions', { workDir: work, prompt: first })).json.id as string;
  const msgA = await slackMessageFor(id, 'a.txt');
  await waitState(app, id, 'permission_prompt');

  const refused = await slackClick(msgA, 'aegis.approve', { secret: 'a-forged-signing-secret-000' });
  t.equal(refused.status, 401);
  t.equal(refused.json.code, 'AEGIS_ERR_SLACK_SIGNATURE_INVALID');
  const replayed = await slackClick(msgA, 'aegis.approve', { ts: Math.floor(Date.now() / 1000) - 600 });
  t.equal(replayed.status, 401);
  t.equal(replayed.json.code, 'AEGIS_ERR_SLACK_SIGNATURE_EXPIRED');
  t.notOk(existsSync(join(work, 'a.txt')), 'refused clicks did nothing');

  // The first prompt is approved over the API; its button is then stale for the next prompt.
  t.equal((await call('POST', `/v1/sessions/${id}/approve`, {})).status, 200);
  const msgB = await slackMessageFor(id, 'b.txt');
  await waitState(app, id, 'permission_prompt');
  const stale = await slackClick(msgA, 'aegis.approve', { responsePath: '/actions/stale' });
  t.same(stale.json, { ok: false, code: 'AEGIS_ERR_NOTIFY_PROMPT_STALE' });
  t.equal(app.sessions.get(id)!.status, 'permission_prompt', 'the later prompt is still waiting');
  t.notOk(existsSync(join(work, 'b.txt')));

  const ok = await slackClick(msgB, 'aegis.approve', { responsePath: '/actions/ok' });
  t.same(ok.json, { ok: true });
  await turn(world, first, 3);
  await waitState(app, id, 'idle');
  t.ok(existsSync(join(work, 'b.txt')), 'the command of the approved prompt ran');
  const update = await slack.waitFor((r) => r.path === '/actions/ok');
  t.match(update.json, { replace_original: true, text: 'Approved by @alice (U0ALICE)' });
  t.notOk(update.json.blocks.some((b: any) => b.type === 'actions'), 'the buttons are gone');

  const audit = (await call('GET', `/v1/audit?sessionId=${id}`)).json.records;
  t.ok(audit.some((r: any) => r.action === 'permission.approved' && r.actor === 'slack:U0ALICE'), 'the approval is audited as the Slack user');
  t.ok(audit.some((r: any) => r.action === 'channel.slack.approved' && r.detail.userName === 'alice'));
  t.ok(audit.some((r: any) => r.action === 'channel.slack.decision-refused' && r.detail.reason === 'stale'));
  const refusals = (await call('GET', '/v1/audit?action=channel.slack.signature-refused')).json.records;
  t.ok(refusals.length >= 2, 'bad and old signatures are audited');
  await call('DELETE', `/v1/sessions/${id}`);
});

t.test('a Discord button signed with the application key approves the real pending permission; a forged one is 401 and audited', { buffered: true }, async (t) => {
  const work = world.trusted[1]!;
  const first = 'channels: discord approves';
  world.conversations.script(first, [reply.bash(writeCommand('d.txt'), 'Write d.txt'), reply.text('written')]);
  const id = (await call('POST', '/v1/sessions', { workDir: work, prompt: first })).json.id as string;
  const msg = await discord.waitFor((r) => r.json?.components?.[0]?.components?.[0]?.custom_id?.includes(id));
  await waitState(app, id, 'permission_prompt');
  const approve = msg.json.components[0].components[0].custom_id as string;
  const click = async (key = discordKeys.privateKey) => {
    const raw = JSON.stringify({
      type: 3, id: '9', application_id: '42', token: 'interaction-token', version: 1,
      data: { custom_id: approve, component_type: 2 }, member: { user: { id: '1001', username: 'bob' } }, message: { id: '1', ...msg.json },
    });
    const ts = String(Math.floor(Date.now() / 1000));
    const res = await fetch(`${base}/v1/channels/discord/interactions`, {
      method: 'POST', body: raw,
      headers: { 'content-type': 'application/json', 'x-signature-timestamp': ts, 'x-signature-ed25519': sign(null, Buffer.from(ts + raw), key).toString('hex') },
    });
    return { status: res.status, json: await res.json() as any };
  };
  const forged = await click(generateKeyPairSync('ed25519').privateKey);
  t.equal(forged.status, 401);
  t.equal(forged.json.code, 'AEGIS_ERR_DISCORD_SIGNATURE_INVALID');
  t.notOk(existsSync(join(work, 'd.txt')));

  const res = await click();
  t.equal(res.status, 200);
  t.match(res.json, { type: 7, data: { components: [] } });
  t.same(res.json.data.embeds[0].fields.at(-1), { name: 'Decision', value: 'Approved by bob (1001)' }, 'the message shows who decided');
  await turn(world, first, 2);
  await waitState(app, id, 'idle');
  t.ok(existsSync(join(work, 'd.txt')), 'the command ran');
  const again = await click();
  t.match(again.json, { type: 4, data: { flags: 64, content: /AEGIS_ERR_NOTIFY_PROMPT_STALE/ } }, 'a second click is refused');
  const audit = (await call('GET', `/v1/audit?sessionId=${id}`)).json.records;
  t.ok(audit.some((r: any) => r.action === 'permission.approved' && r.actor === 'discord:1001'));
  t.ok((await call('GET', '/v1/audit?action=channel.discord.signature-refused')).json.records.length >= 1);
  await call('DELETE', `/v1/sessions/${id}`);
});

t.test('an sk-ant key and a session env value in what the agent runs reach the webhook masked', { buffered: true }, async (t) => {
  const work = world.trusted[2]!;
  const first = 'channels: leak secrets';
  const envValue = 'deploy-4242-very-secret-value';
  const anthropic = 'sk-ant-api03-PrintedByTheAgent-0123456789abcdef';
  world.conversations.script(first, [reply.bash(writeCommand('leak.txt', `${anthropic} ${envValue}`), 'Write leak.txt'), reply.text('ok')]);
  const created = await call('POST', '/v1/sessions', { workDir: work, prompt: first, env: { DEPLOY_CREDENTIAL: envValue } });
  t.equal(created.status, 201, JSON.stringify(created.json));
  const id = created.json.id as string;
  const got = await hook.waitFor((r) => r.json?.type === 'permission.requested' && r.json.sessionId === id);
  t.match(got.json.data.permission.detail, /leak\.txt/, 'the command is there');
  t.notOk(got.body.includes(anthropic), 'the Anthropic key is masked');
  t.notOk(got.body.includes(envValue), 'the session env value is masked');
  t.match(got.json.data.permission.detail, /\[REDACTED\] \[REDACTED\]/);
  for (const r of [...slack.requests, ...discord.requests]) {
    t.notOk(r.body.includes(anthropic) || r.body.includes(envValue), `nothing leaked to ${r.path.split('?')[0]}`);
  }
  await waitState(app, id, 'permission_prompt');
  await call('POST', `/v1/sessions/${id}/reject`, {});
  await waitState(app, id, 'idle');
  await call('DELETE', `/v1/sessions/${id}`);
});
