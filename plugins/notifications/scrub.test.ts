import t from 'tap';
import { generateKeyPairSync } from 'node:crypto';
import { MASK, Scrubber } from './scrub.js';
import { isPrivateAddress } from './address.js';
import { retryAfterMs, send } from './outbound.js';

const refused = { code: 'AEGIS_ERR_NOTIFY_ADDRESS_REFUSED' };

t.test('common credential shapes are masked wherever they appear', async (t) => {
  const s = new Scrubber();
  const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const secrets = [
    'sk-ant-api03-AbCdEfGhIjKlMnOpQrStUv-xyz_0123',
    'sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz012345',
    'sk-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcd',
    'ghp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789',
    'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz',
    'xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp',
    'AKIAIOSFODNN7EXAMPLE',
    'aegis_0123456789abcdef_' + 'A'.repeat(43),
    pem.trim(),
  ];
  for (const secret of secrets) {
    const out = s.string(`before ${secret} after`);
    t.notOk(out.includes(secret), `masked: ${secret.slice(0, 12)}`);
    t.match(out, /^before \[REDACTED\] after$/);
  }
  t.equal(s.string('Authorization: Bearer abc.def-ghi_jkl'), `Authorization: Bearer ${MASK}`);
  t.equal(s.string('curl https://bob:hunter22@example.com/x'), `curl https://${MASK}@example.com/x`);
  t.equal(s.string('aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'), `aws_secret_access_key = ${MASK}`);
  t.equal(s.string('nothing secret: sk-short, ghp_x, a normal sentence'), 'nothing secret: sk-short, ghp_x, a normal sentence');
});

t.test('registered server secrets and the session env values are masked; short values are not', async (t) => {
  const env: Record<string, Record<string, string>> = { s1: { DEPLOY_TOKEN: 'tok-9f8e7d6c5b4a', DEBUG: '1' } };
  const s = new Scrubber((id) => env[id]);
  s.addSecret('master-token-0123456789abcdef');
  s.addSecret('short');
  const payload = { a: 'uses master-token-0123456789abcdef', nested: [{ b: 'tok-9f8e7d6c5b4a and 1' }], n: 3, short: 'short' };
  t.same(s.scrub(payload, 's1'), { a: `uses ${MASK}`, nested: [{ b: `${MASK} and 1` }], n: 3, short: 'short' });
  t.same(s.scrub(payload, 'other').nested, [{ b: 'tok-9f8e7d6c5b4a and 1' }], 'another session\'s env is not known to this one');
  t.equal(payload.a, 'uses master-token-0123456789abcdef', 'the input is not changed');
  let deep: unknown = 'sk-ant-api03-deepdeepdeepdeep';
  for (let i = 0; i < 40; i++) deep = { d: deep };
  t.notMatch(JSON.stringify(s.scrub(deep)), /sk-ant/, 'nothing deep slips through');
});

t.test('private, loopback, link-local and mapped addresses are not public', async (t) => {
  for (const ip of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '224.0.0.1']) {
    t.ok(isPrivateAddress(ip), ip);
  }
  for (const ip of ['93.184.216.34', '1.1.1.1', '2606:4700:4700::1111']) t.notOk(isPrivateAddress(ip), ip);
});

t.test('send refuses private targets by address and by name, and foreign hosts for a host list', async (t) => {
  await t.rejects(send({ url: 'http://127.0.0.1:9/x' }), refused);
  await t.rejects(send({ url: 'http://[::1]:9/x' }), refused);
  await t.rejects(send({ url: 'http://localhost:9/x' }), refused);
  await t.rejects(send({ url: 'file:///etc/passwd' }), refused);
  await t.rejects(send({ url: 'https://evil.example/actions' }, { allowedHosts: ['slack.com'] }), refused);
  await t.rejects(send({ url: 'http://hooks.slack.com/actions' }, { allowedHosts: ['slack.com'] }), refused, 'plain http is refused for held hosts');
  await t.rejects(send({ url: 'https://slack.com.evil.example/x' }, { allowedHosts: ['slack.com'] }), refused);
});

t.test('Retry-After is read as seconds or as an HTTP date', async (t) => {
  t.equal(retryAfterMs('3'), 3000);
  t.equal(retryAfterMs(new Date(10_000).toUTCString(), 4_000), 6000);
  t.equal(retryAfterMs('soon'), undefined);
});
