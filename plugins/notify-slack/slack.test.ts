import t from 'tap';
import { bearer } from '../../test/support/app.js';
import { startReceiver } from '../../test/support/receiver.js';
import { channelApp } from '../../test/support/channels.js';
import { slackSignature } from './signature.js';

const SIGNING = 'slack-signing-secret-0123456789';
const permission = { kind: 'tool' as const, tool: 'Bash', detail: 'rm -rf build && echo sk-ant-api03-notforslack0000', options: [{ number: 1, label: 'Yes' }, { number: 2, label: 'No' }] };

async function slackApp(t: Parameters<typeof channelApp>[0]) {
  const slack = await startReceiver();
  t.teardown(() => slack.close());
  const app = await channelApp(t, {
    'notify-slack': { webhookUrl: slack.url + '/services/T1/B2/xyz', signingSecret: SIGNING, allowPrivate: true, dashboardUrl: 'https://aegis.example/dashboard' },
  });
  return { app, slack };
}

/** Posts a form body to the interactions route, signed (or not) as Slack would. */
function interact(app: Awaited<ReturnType<typeof slackApp>>['app'], payload: unknown, sign: { secret?: string; ts?: number } = {}) {
  const body = 'payload=' + encodeURIComponent(JSON.stringify(payload));
  const ts = String(sign.ts ?? Math.floor(Date.now() / 1000));
  return app.inject({
    method: 'POST', url: '/v1/channels/slack/interactions', payload: body,
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': ts, 'x-slack-signature': slackSignature(sign.secret ?? SIGNING, ts, body) },
  });
}

t.test('a permission request becomes a Block Kit message with session, state, dashboard link and Approve/Reject buttons', async (t) => {
  const { app, slack } = await slackApp(t);
  app.events.emit('permission.requested', { sessionId: 'sess-1', at: new Date().toISOString(), permission });
  const got = await slack.waitFor(() => true);
  t.equal(got.path, '/services/T1/B2/xyz');
  const { text, blocks } = got.json;
  t.type(text, 'string');
  t.match(blocks[0], { type: 'section', text: { type: 'mrkdwn', text: /Permission requested.*sess-1/ } });
  t.match(blocks[1].text.text, /\*Bash\* wants to run:\n```rm -rf build &amp;&amp; echo \[REDACTED\]```/);
  const actions = blocks.find((b: any) => b.type === 'actions');
  t.match(actions.elements, [
    { type: 'button', action_id: 'aegis.approve', style: 'primary', text: { type: 'plain_text', text: 'Approve' } },
    { type: 'button', action_id: 'aegis.reject', style: 'danger', text: { type: 'plain_text', text: 'Reject' } },
  ]);
  t.match(JSON.parse(actions.elements[0].value), { s: 'sess-1', p: /^[0-9a-f-]{36}$/ });
  t.match(blocks.at(-1), { type: 'context', elements: [{ type: 'mrkdwn', text: '<https://aegis.example/dashboard/sessions/sess-1|Open in the dashboard>' }] });
  t.notMatch(got.body, /sk-ant-api03/);
});

t.test('interactions with a missing, wrong or old signature are refused with 401 and audited', async (t) => {
  const { app } = await slackApp(t);
  const payload = { type: 'block_actions', user: { id: 'U1' }, actions: [] };
  const wrong = await interact(app, payload, { secret: 'not-the-signing-secret-000' });
  t.equal(wrong.statusCode, 401);
  t.equal(wrong.json().code, 'AEGIS_ERR_SLACK_SIGNATURE_INVALID');
  const old = await interact(app, payload, { ts: Math.floor(Date.now() / 1000) - 301 });
  t.equal(old.statusCode, 401);
  t.equal(old.json().code, 'AEGIS_ERR_SLACK_SIGNATURE_EXPIRED');
  const none = await app.inject({ method: 'POST', url: '/v1/channels/slack/interactions', payload: 'payload=%7B%7D', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  t.equal(none.statusCode, 401);
  t.equal(none.json().code, 'AEGIS_ERR_SLACK_SIGNATURE_MISSING');
  const audit = (await app.inject({ method: 'GET', url: '/v1/audit?action=channel.slack.signature-refused', headers: bearer() })).json();
  t.same(audit.records.map((r: any) => r.detail.code).sort(), ['AEGIS_ERR_SLACK_SIGNATURE_EXPIRED', 'AEGIS_ERR_SLACK_SIGNATURE_INVALID', 'AEGIS_ERR_SLACK_SIGNATURE_MISSING']);
  t.ok(audit.records.every((r: any) => r.actor === 'anonymous'));
});

t.test('a signed button for a prompt that is not pending is refused as stale and audited with the Slack user', async (t) => {
  const { app, slack } = await slackApp(t);
  app.events.emit('permission.requested', { sessionId: 'gone', at: new Date().toISOString(), permission });
  const msg = await slack.waitFor(() => true);
  const value = msg.json.blocks.find((b: any) => b.type === 'actions').elements[0].value;
  const res = await interact(app, {
    type: 'block_actions', user: { id: 'U42', username: 'alice' }, team: { id: 'T1' }, response_url: slack.url + '/actions/r1',
    actions: [{ action_id: 'aegis.approve', value, type: 'button' }], message: { blocks: msg.json.blocks },
  });
  t.equal(res.statusCode, 200);
  t.same(res.json(), { ok: false, code: 'AEGIS_ERR_NOTIFY_PROMPT_STALE' });
  const note = await slack.waitFor((r) => r.path === '/actions/r1');
  t.match(note.json, { response_type: 'ephemeral', replace_original: false, text: /no longer pending/ });
  const audit = (await app.inject({ method: 'GET', url: '/v1/audit?action=channel.slack.decision-refused', headers: bearer() })).json();
  t.match(audit.records, [{ actor: 'slack:U42', sessionId: 'gone', detail: { reason: 'stale', userName: 'alice' } }]);
  const bad = await interact(app, { type: 'block_actions', user: { id: 'U42' }, actions: [{ action_id: 'aegis.approve', value: 'forged' }] });
  t.equal(bad.statusCode, 400);
  t.equal(bad.json().code, 'AEGIS_ERR_SLACK_PAYLOAD_INVALID');
});

t.test('without allowPrivate the response_url is held to Slack\'s hosts', async (t) => {
  const slack = await startReceiver();
  t.teardown(() => slack.close());
  const app = await channelApp(t, { 'notify-slack': { webhookUrl: 'https://hooks.slack.com/services/T/B/secretpath', signingSecret: SIGNING } });
  const res = await interact(app, {
    type: 'block_actions', user: { id: 'U1' }, response_url: slack.url + '/actions/x',
    actions: [{ action_id: 'aegis.reject', value: JSON.stringify({ s: 'nope', p: 'nope' }) }],
  });
  t.equal(res.json().code, 'AEGIS_ERR_NOTIFY_PROMPT_STALE');
  await t.rejects(slack.waitFor(() => true, 500), 'nothing reached a host that is not Slack\'s');
});

t.test('a flood of forged interactions is refused every time but audited only up to the per-address limit', async (t) => {
  const { app } = await slackApp(t);
  const codes = new Set<string>();
  for (let i = 0; i < 30; i++) codes.add((await interact(app, { type: 'block_actions' }, { secret: 'forged-secret-000000000000' })).json().code);
  t.same([...codes], ['AEGIS_ERR_SLACK_SIGNATURE_INVALID'], 'each one is refused');
  const records = (await app.inject({ method: 'GET', url: '/v1/audit?action=channel.slack.signature-refused&limit=100', headers: bearer() })).json().records;
  t.equal(records.length, 21, 'twenty records, then one saying the rest are not kept');
  t.equal(records.at(-1).detail.furtherRefusalsNotRecorded, true);
});
