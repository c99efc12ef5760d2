import t from 'tap';
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { bearer } from '../../test/support/app.js';
import { startReceiver, type Answer } from '../../test/support/receiver.js';
import { channelApp, exited } from '../../test/support/channels.js';

const permission = { kind: 'tool' as const, tool: 'Bash', detail: 'deploy --token ghp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789', options: [{ number: 1, label: 'Yes' }] };

/** A fresh Ed25519 application key: the raw public key in hex, as Discord shows it. */
export function appKey(): { publicHex: string; privateKey: KeyObject } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const x = publicKey.export({ format: 'jwk' }).x!;
  return { publicHex: Buffer.from(x, 'base64url').toString('hex'), privateKey };
}

async function discordApp(t: Parameters<typeof channelApp>[0], notifications: Record<string, unknown> = {}) {
  const discord = await startReceiver();
  t.teardown(() => discord.close());
  const key = appKey();
  const app = await channelApp(t, {
    'notify-discord': { webhookUrl: discord.url + '/api/webhooks/1/tok', publicKey: key.publicHex, applicationId: '42', allowPrivate: true },
  }, { notifications });
  const interact = (body: unknown, opts: { key?: KeyObject; ts?: number } = {}) => {
    const raw = JSON.stringify(body);
    const ts = String(opts.ts ?? Math.floor(Date.now() / 1000));
    const sig = sign(null, Buffer.from(ts + raw), opts.key ?? key.privateKey).toString('hex');
    return app.inject({ method: 'POST', url: '/v1/channels/discord/interactions', payload: raw, headers: { 'content-type': 'application/json', 'x-signature-ed25519': sig, 'x-signature-timestamp': ts } });
  };
  return { app, discord, interact };
}

t.test('a permission request becomes an embed with Approve/Reject buttons, sent with wait and with_components', async (t) => {
  const { app, discord } = await discordApp(t);
  app.events.emit('permission.requested', { sessionId: 'sess-d', at: new Date().toISOString(), permission });
  const got = await discord.waitFor(() => true);
  const url = new URL(got.path, discord.url);
  t.equal(url.pathname, '/api/webhooks/1/tok');
  t.equal(url.searchParams.get('wait'), 'true');
  t.equal(url.searchParams.get('with_components'), 'true');
  t.match(got.json.embeds[0], { title: /permission\.requested · sess-d/, description: /\*\*Bash\*\* wants to run:\n```\ndeploy --token \[REDACTED\]\n```/, url: /\/sessions\/sess-d$/, timestamp: String });
  t.same(got.json.allowed_mentions, { parse: [] }, 'an agent\'s text can never ping anyone');
  t.match(got.json.components, [{ type: 1, components: [
    { type: 2, style: 3, label: 'Approve', custom_id: /^aegis:approve:sess-d:[0-9a-f-]{36}$/ },
    { type: 2, style: 4, label: 'Reject', custom_id: /^aegis:reject:sess-d:[0-9a-f-]{36}$/ },
  ] }]);
  t.notMatch(got.body, /ghp_/);
});

t.test('an empty rate-limit bucket holds the channel for X-RateLimit-Reset-After; a 429 for its retry_after', async (t) => {
  // One at a time, as a bucket is only known once a response arrives.
  const { app, discord } = await discordApp(t, { concurrency: 1 });
  discord.answer((_r, n): Answer => n === 1 ? { status: 200, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset-after': '0.6' }, body: '{}' }
    : n === 2 ? { status: 429, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ retry_after: 0.7, global: false }) }
      : { status: 200, body: '{}' });
  const done = new Promise<void>((resolve) => { let n = 0; app.events.on('notification.delivered', () => { if (++n === 2) resolve(); }); });
  app.events.emit('session.exited', exited('d-1'));
  app.events.emit('session.exited', exited('d-2'));
  await done;
  const [a, b, c] = discord.requests;
  t.equal(discord.requests.length, 3);
  t.ok(b.at - a.at >= 550, 'the second request waited for the bucket to reset');
  t.ok(c.at - b.at >= 650, 'the retry waited for retry_after');
});

t.test('PING is answered with PONG; bad, old or missing signatures are 401 and audited', async (t) => {
  const { app, interact } = await discordApp(t);
  const ping = await interact({ type: 1, application_id: '42' });
  t.equal(ping.statusCode, 200);
  t.same(ping.json(), { type: 1 });
  const wrong = await interact({ type: 1, application_id: '42' }, { key: appKey().privateKey });
  t.equal(wrong.statusCode, 401);
  t.equal(wrong.json().code, 'AEGIS_ERR_DISCORD_SIGNATURE_INVALID');
  const old = await interact({ type: 1, application_id: '42' }, { ts: Math.floor(Date.now() / 1000) - 600 });
  t.equal(old.json().code, 'AEGIS_ERR_DISCORD_SIGNATURE_EXPIRED');
  const none = await app.inject({ method: 'POST', url: '/v1/channels/discord/interactions', payload: '{"type":1}', headers: { 'content-type': 'application/json' } });
  t.equal(none.json().code, 'AEGIS_ERR_DISCORD_SIGNATURE_MISSING');
  const other = await interact({ type: 1, application_id: '999' });
  t.equal(other.statusCode, 400, 'an interaction for another application is refused');
  const audit = (await app.inject({ method: 'GET', url: '/v1/audit?action=channel.discord.signature-refused', headers: bearer() })).json();
  t.equal(audit.records.length, 3);
});

t.test('a signed button for a prompt that is no longer pending gets an ephemeral refusal and changes nothing', async (t) => {
  const { app, discord, interact } = await discordApp(t);
  app.events.emit('permission.requested', { sessionId: 'gone', at: new Date().toISOString(), permission });
  const msg = await discord.waitFor(() => true);
  const res = await interact({ type: 3, application_id: '42', data: { custom_id: msg.json.components[0].components[0].custom_id, component_type: 2 }, member: { user: { id: '7', username: 'bob' } }, message: msg.json });
  t.equal(res.statusCode, 200);
  t.match(res.json(), { type: 4, data: { flags: 64, content: /AEGIS_ERR_NOTIFY_PROMPT_STALE/ } });
});
