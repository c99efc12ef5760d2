import t from 'tap';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildTestApp, bearer } from '../../test/support/app.js';
import { createKey, eventually, seedExpiredKey, testApp } from './test-helpers.js';

const status = async (app: FastifyInstance, key: string, url = '/v1/auth/whoami') =>
  (await app.inject({ method: 'GET', url, headers: bearer(key) })).statusCode;

t.test('a created key is shown once, works, and is stored only as a hash in a 0600 file', async (t) => {
  const app = await testApp(t);
  const res = await app.inject({ method: 'POST', url: '/v1/auth/keys', headers: bearer(), payload: { name: 'ci', role: 'operator', tenantId: 'acme', rateLimit: 100 } });
  t.equal(res.statusCode, 201);
  const { id, key } = res.json();
  t.match(key, new RegExp(`^aegis_${id}_`));
  t.match(res.json(), { name: 'ci', role: 'operator', tenantId: 'acme', rateLimit: 100, status: 'active', createdBy: 'master' });
  const me = await app.inject({ method: 'GET', url: '/v1/auth/whoami', headers: bearer(key) });
  t.match(me.json(), { id, kind: 'key', role: 'operator', tenantId: 'acme' });
  const file = join(app.config.stateDir, 'auth', 'keys.json');
  t.equal((await stat(file)).mode & 0o777, 0o600);
  const stored = await readFile(file, 'utf8');
  t.notOk(stored.includes(key.split('_').slice(2).join('_')), 'the secret is not on disk');
  t.ok(stored.includes(id));
});

t.test('the key list never shows a key or its hash', async (t) => {
  const app = await testApp(t);
  const { key } = await createKey(app, { name: 'one', role: 'viewer' });
  await app.inject({ method: 'POST', url: `/v1/auth/keys/${key.slice(6, 22)}/rotate`, headers: bearer(), payload: { graceSeconds: 60 } });
  const list = await app.inject({ method: 'GET', url: '/v1/auth/keys', headers: bearer() });
  t.equal(list.statusCode, 200);
  t.equal(list.json().keys.length, 1);
  const secret = key.split('_').slice(2).join('_');
  const stored = JSON.parse(await readFile(join(app.config.stateDir, 'auth', 'keys.json'), 'utf8'));
  for (const hash of [stored.keys[0].secretHash, stored.keys[0].previous.secretHash]) t.notOk(list.body.includes(hash), 'no hash in the list');
  t.notOk(list.body.includes(secret));
  t.notOk(list.body.includes('aegis_'), 'nothing key-shaped at all');
  t.type(list.json().keys[0].previousValidUntil, 'string', 'the grace end is shown instead');
});

t.test('a revoked key is refused at once with 401, and revoking is audited', async (t) => {
  const app = await testApp(t);
  const { id, key } = await createKey(app, { name: 'gone', role: 'admin' });
  t.equal(await status(app, key), 200);
  const revoked = await app.inject({ method: 'DELETE', url: `/v1/auth/keys/${id}`, headers: bearer() });
  t.equal(revoked.statusCode, 200);
  t.equal(revoked.json().status, 'revoked');
  const res = await app.inject({ method: 'GET', url: '/v1/auth/whoami', headers: bearer(key) });
  t.equal(res.statusCode, 401);
  t.equal(res.json().code, 'AEGIS_ERR_AUTH_INVALID_TOKEN');
  const again = await app.inject({ method: 'POST', url: `/v1/auth/keys/${id}/rotate`, headers: bearer() });
  t.equal(again.json().code, 'AEGIS_ERR_AUTH_KEY_REVOKED', 'a revoked key cannot be rotated back to life');
  const actions = [];
  for await (const r of app.audit.find({})) actions.push(r.action);
  t.same(actions.filter((a) => a.startsWith('auth.key')), ['auth.key.created', 'auth.key.revoked']);
  t.ok(actions.includes('auth.failed'));
});

t.test('an expired key is refused with 401', async (t) => {
  const stateDir = await mkdtemp(join(tmpdir(), 'aegis-keys-'));
  const { id, key } = await seedExpiredKey(stateDir, { name: 'old', role: 'admin' });
  const app = await testApp(t, { stateDir });
  const res = await app.inject({ method: 'GET', url: '/v1/auth/whoami', headers: bearer(key) });
  t.equal(res.statusCode, 401);
  t.equal(res.json().code, 'AEGIS_ERR_AUTH_INVALID_TOKEN');
  t.equal((await app.inject({ method: 'GET', url: '/v1/auth/keys', headers: bearer() })).json().keys[0].status, 'expired');
  t.equal((await app.inject({ method: 'POST', url: `/v1/auth/keys/${id}/rotate`, headers: bearer() })).json().code, 'AEGIS_ERR_AUTH_KEY_EXPIRED');
  const failed = [];
  for await (const r of app.audit.find({ action: 'auth.failed' })) failed.push(r.detail);
  t.match(failed, [{ reason: 'expired', keyId: id }], 'the audit trail knows why, the client does not');
});

t.test('after a rotation with grace the old key works until the grace ends, then gets 401', async (t) => {
  const app = await testApp(t);
  const { id, key: oldKey } = await createKey(app, { name: 'rot', role: 'operator' });
  const rotated = await app.inject({ method: 'POST', url: `/v1/auth/keys/${id}/rotate`, headers: bearer(), payload: { graceSeconds: 1 } });
  t.equal(rotated.statusCode, 200);
  const newKey = rotated.json().key as string;
  t.not(newKey, oldKey);
  t.match(newKey, new RegExp(`^aegis_${id}_`), 'the key keeps its id');
  const graceEnd = Date.parse(rotated.json().previousValidUntil);
  t.equal(await status(app, oldKey), 200, 'the old key still works within the grace');
  t.equal(await status(app, newKey), 200);
  t.ok(await eventually(async () => (await status(app, oldKey)) === 401, 5000), 'the old key stops working');
  t.ok(Date.now() >= graceEnd, 'not before the grace end');
  t.equal(await status(app, newKey), 200, 'the new key goes on');
});

t.test('a rotation without grace ends the old key at once', async (t) => {
  const app = await testApp(t);
  const { id, key } = await createKey(app, { name: 'now', role: 'viewer' });
  const next = (await app.inject({ method: 'POST', url: `/v1/auth/keys/${id}/rotate`, headers: bearer() })).json().key;
  t.equal(await status(app, key), 401);
  t.equal(await status(app, next), 200);
});

t.test('roles grant their permissions: viewers read, operators act, only admins manage keys and read the audit', async (t) => {
  const app = await testApp(t);
  const viewer = (await createKey(app, { name: 'v', role: 'viewer' })).key;
  const operator = (await createKey(app, { name: 'o', role: 'operator' })).key;
  const auditor = (await createKey(app, { name: 'a', role: 'viewer', permissions: ['audit'] })).key;
  t.equal(await status(app, viewer, '/v1/sessions'), 200);
  const denied = await app.inject({ method: 'GET', url: '/v1/audit', headers: bearer(operator) });
  t.equal(denied.statusCode, 403);
  t.equal(denied.json().code, 'AEGIS_ERR_AUTH_FORBIDDEN');
  t.equal(await status(app, operator, '/v1/auth/keys'), 403);
  t.equal(await status(app, auditor, '/v1/audit'), 200, 'an extra permission is honoured');
  const noAdminExtra = await app.inject({ method: 'POST', url: '/v1/auth/keys', headers: bearer(), payload: { name: 'x', role: 'viewer', permissions: ['admin'] } });
  t.equal(noAdminExtra.json().code, 'AEGIS_ERR_VALIDATION', 'admin comes only with the admin role');
});

t.test('a tenant admin manages only its own tenant keys', async (t) => {
  const app = await testApp(t);
  const admin = (await createKey(app, { name: 'adm', role: 'admin', tenantId: 'a' })).key;
  const other = await createKey(app, { name: 'b', role: 'viewer', tenantId: 'b' });
  const made = await app.inject({ method: 'POST', url: '/v1/auth/keys', headers: bearer(admin), payload: { name: 'mine', role: 'viewer' } });
  t.equal(made.json().tenantId, 'a', 'the key inherits the tenant');
  const cross = await app.inject({ method: 'POST', url: '/v1/auth/keys', headers: bearer(admin), payload: { name: 'x', role: 'viewer', tenantId: 'b' } });
  t.equal(cross.json().code, 'AEGIS_ERR_AUTH_TENANT_MISMATCH');
  const list = (await app.inject({ method: 'GET', url: '/v1/auth/keys', headers: bearer(admin) })).json().keys;
  t.same(list.map((k: { tenantId: string }) => k.tenantId), ['a', 'a']);
  const revoke = await app.inject({ method: 'DELETE', url: `/v1/auth/keys/${other.id}`, headers: bearer(admin) });
  t.equal(revoke.statusCode, 404);
  t.equal(revoke.json().code, 'AEGIS_ERR_AUTH_KEY_NOT_FOUND');
});

t.test('keys survive a restart', async (t) => {
  const first = await buildTestApp();
  const { key } = await createKey(first, { name: 'kept', role: 'viewer' });
  const stateDir = first.config.stateDir;
  await first.close();
  const second = await testApp(t, { stateDir });
  t.equal(await status(second, key), 200);
});
