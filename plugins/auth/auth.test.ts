import t from 'tap';
import { stat, readFile } from 'node:fs/promises';
import { buildTestApp, bearer, TEST_TOKEN } from '../../test/support/app.js';

t.test('a request without a token is refused with 401 and a code', async (t) => {
  const app = await buildTestApp();
  t.teardown(() => app.close());
  const res = await app.inject({ method: 'GET', url: '/v1/openapi.json' });
  t.equal(res.statusCode, 401);
  t.equal(res.json().code, 'AEGIS_ERR_AUTH_MISSING_TOKEN');
  t.equal(res.json().requestId, res.headers['x-request-id'], 'the error names the request id it echoes');
  t.match(res.headers['www-authenticate'], /^Bearer/);
});

t.test('a wrong token is refused with 401 and never echoed', async (t) => {
  const app = await buildTestApp();
  t.teardown(() => app.close());
  const res = await app.inject({ method: 'GET', url: '/v1/openapi.json', headers: bearer('wrong-token-wrong-token-wrong') });
  t.equal(res.statusCode, 401);
  t.equal(res.json().code, 'AEGIS_ERR_AUTH_INVALID_TOKEN');
  t.notMatch(res.body, /wrong-token/);
  const malformed = await app.inject({ method: 'GET', url: '/v1/openapi.json', headers: { authorization: `Basic ${TEST_TOKEN}` } });
  t.equal(malformed.json().code, 'AEGIS_ERR_AUTH_MISSING_TOKEN', 'a non-bearer scheme counts as no token');
});

t.test('the right token passes and health is open without one', async (t) => {
  const app = await buildTestApp();
  t.teardown(() => app.close());
  const ok = await app.inject({ method: 'GET', url: '/v1/openapi.json', headers: bearer() });
  t.equal(ok.statusCode, 200);
  t.equal(ok.json().openapi, '3.0.3');
  const health = await app.inject({ method: 'GET', url: '/v1/health' });
  t.equal(health.statusCode, 200);
  t.equal(health.json().status, 'ok');
  t.type(health.json().uptime, 'number');
  t.notMatch(health.body, new RegExp(TEST_TOKEN));
});

t.test('unknown routes need a token too, then answer 404 with the error shape', async (t) => {
  const app = await buildTestApp();
  t.teardown(() => app.close());
  t.equal((await app.inject({ method: 'GET', url: '/v1/nothing-here' })).statusCode, 401);
  const res = await app.inject({ method: 'GET', url: '/v1/nothing-here', headers: { ...bearer(), 'x-request-id': 'client-chosen-id-1' } });
  t.equal(res.statusCode, 404);
  t.same(Object.keys(res.json()).sort(), ['code', 'message', 'requestId']);
  t.equal(res.json().code, 'AEGIS_ERR_ROUTE_NOT_FOUND');
  t.equal(res.json().requestId, 'client-chosen-id-1', 'a well-formed client request id is kept');
  t.equal(res.headers['x-request-id'], 'client-chosen-id-1');
  const bad = await app.inject({ method: 'GET', url: '/v1/health', headers: { 'x-request-id': 'bad id with spaces\u0007' } });
  t.not(bad.headers['x-request-id'], 'bad id with spaces\u0007', 'an unsafe request id is replaced');
});

t.test('without AEGIS_AUTH_TOKEN a strong token is generated, stored 0600 and reused on the next start', async (t) => {
  const first = await buildTestApp({ env: { AEGIS_AUTH_TOKEN: '' } });
  const file = first.auth.tokenFile!;
  t.ok(file, 'the token file path is known');
  const mode = (await stat(file)).mode & 0o777;
  t.equal(mode, 0o600);
  const token = (await readFile(file, 'utf8')).trim();
  t.ok(token.length >= 40, 'the token is long');
  t.equal((await first.inject({ method: 'GET', url: '/v1/openapi.json', headers: bearer(token) })).statusCode, 200);
  const stateDir = first.config.stateDir;
  await first.close();
  const second = await buildTestApp({ stateDir, env: { AEGIS_AUTH_TOKEN: '' } });
  t.teardown(() => second.close());
  t.equal((await readFile(file, 'utf8')).trim(), token, 'the same token is kept');
  t.equal((await second.inject({ method: 'GET', url: '/v1/openapi.json', headers: bearer(token) })).statusCode, 200);
});

t.test('a failed authentication is an event for the audit log, without the token', async (t) => {
  const app = await buildTestApp();
  t.teardown(() => app.close());
  const seen = app.events.once('auth.failed');
  await app.inject({ method: 'GET', url: '/v1/openapi.json', headers: bearer('not-the-token-not-the-token') });
  const ev = await seen;
  t.equal(ev.code, 'AEGIS_ERR_AUTH_INVALID_TOKEN');
  t.notMatch(JSON.stringify(ev), /not-the-token/);
});
