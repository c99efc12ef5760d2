import t from 'tap';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bearer, buildTestApp, recordingLogger, TEST_TOKEN } from '../../test/support/app.js';
import { WindowCounter } from './limiter.js';
import { createKey, testApp } from './test-helpers.js';

t.test('a window counter counts per key and starts afresh when the window ends', async (t) => {
  let now = 1_000;
  const c = new WindowCounter(1000, () => now);
  t.equal(c.hit('a'), 1);
  t.equal(c.hit('a'), 2);
  t.equal(c.hit('b'), 1);
  t.equal(c.retryAfterSeconds('a'), 1);
  now += 999;
  t.equal(c.count('a'), 2);
  now += 1;
  t.equal(c.count('a'), 0, 'the window ended');
  t.equal(c.hit('a'), 1);
});

t.test('an address that keeps presenting invalid tokens gets 429 with a code, even with a good token', async (t) => {
  const app = await testApp(t, { plugins: { auth: { failureLimit: 3 } } });
  const throttled = app.events.once('auth.throttled');
  for (let i = 0; i < 3; i++) {
    t.equal((await app.inject({ method: 'GET', url: '/v1/sessions', headers: bearer(`wrong-token-number-${i}-xxxxxxxx`) })).statusCode, 401);
  }
  t.equal((await throttled).failures, 3);
  const res = await app.inject({ method: 'GET', url: '/v1/sessions', headers: bearer() });
  t.equal(res.statusCode, 429);
  t.equal(res.json().code, 'AEGIS_ERR_AUTH_THROTTLED');
  t.ok(Number(res.headers['retry-after']) >= 1);
  const other = await app.inject({ method: 'GET', url: '/v1/sessions', headers: bearer(), remoteAddress: '127.0.0.2' });
  t.equal(other.statusCode, 200, 'another address is not affected');
  t.equal((await app.inject({ method: 'GET', url: '/v1/health' })).statusCode, 200, 'open routes stay open');
});

t.test('a key with a rate limit gets 429 past its requests per minute', async (t) => {
  const app = await testApp(t);
  const { key } = await createKey(app, { name: 'slow', role: 'viewer', rateLimit: 3 });
  for (let i = 0; i < 3; i++) t.equal((await app.inject({ method: 'GET', url: '/v1/sessions', headers: bearer(key) })).statusCode, 200);
  const res = await app.inject({ method: 'GET', url: '/v1/sessions', headers: bearer(key) });
  t.equal(res.statusCode, 429);
  t.equal(res.json().code, 'AEGIS_ERR_AUTH_KEY_RATE_LIMITED');
  t.ok(Number(res.headers['retry-after']) >= 1);
  t.equal((await app.inject({ method: 'GET', url: '/v1/sessions', headers: bearer() })).statusCode, 200, 'other principals are not limited');
});

t.test('API responses carry the security headers and are never cached, errors included', async (t) => {
  const app = await testApp(t);
  for (const res of [
    await app.inject({ method: 'GET', url: '/v1/sessions', headers: bearer() }),
    await app.inject({ method: 'GET', url: '/v1/sessions' }),
    await app.inject({ method: 'GET', url: '/v1/health' }),
  ]) {
    t.equal(res.headers['x-content-type-options'], 'nosniff');
    t.equal(res.headers['referrer-policy'], 'no-referrer');
    t.equal(res.headers['x-frame-options'], 'DENY');
    t.equal(res.headers['cache-control'], 'no-store');
  }
});

t.test('no token, key or secret reaches a log line or an error body', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'aegis-logs-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const { logger, lines } = recordingLogger('trace');
  const app = await buildTestApp({ stateDir: dir, logger });
  t.teardown(() => app.close());
  const { id, key } = await createKey(app, { name: 'logged', role: 'operator' });
  const rotated = (await app.inject({ method: 'POST', url: `/v1/auth/keys/${id}/rotate`, headers: bearer(), payload: { graceSeconds: 5 } })).json().key;
  const bodies: string[] = [];
  for (const token of [key, rotated, `${key}x`, `aegis_${id}_${'A'.repeat(43)}`, 'not-a-key-but-long-enough-0123']) {
    bodies.push((await app.inject({ method: 'GET', url: '/v1/auth/keys', headers: bearer(token) })).body);
  }
  await app.close();
  const text = lines.join('');
  t.ok(text.length > 0, 'something was logged');
  for (const secret of [TEST_TOKEN, key, rotated, key.slice(23), rotated.slice(23), 'not-a-key-but-long-enough']) {
    t.notOk(text.includes(secret), 'not in the log');
    for (const b of bodies) t.notOk(b.includes(secret), 'not in a response body');
  }
});

t.test('behind a trusted proxy the failure lockout keys on the real client, not the proxy', async (t) => {
  const stateDir = await mkdtemp(join(tmpdir(), 'aegis-proxy-'));
  const { writeFile } = await import('node:fs/promises');
  await writeFile(join(stateDir, 'aegis.config.json'), JSON.stringify({ version: 1, server: { trustProxy: ['127.0.0.1'] }, plugins: { auth: { failureLimit: 3 } } }));
  const app = await testApp(t, { stateDir, plugins: { auth: { failureLimit: 3 } } });
  const via = (client: string, token?: string) => app.inject({
    method: 'GET', url: '/v1/sessions', headers: { ...bearer(token), 'x-forwarded-for': client }, remoteAddress: '127.0.0.1',
  });
  for (let i = 0; i < 3; i++) t.equal((await via('203.0.113.9', `wrong-token-number-${i}-xxxxxxxx`)).statusCode, 401);
  t.equal((await via('203.0.113.9')).statusCode, 429, 'the guessing client is locked out');
  t.equal((await via('198.51.100.7')).statusCode, 200, 'another client behind the same proxy is not');
  const spoofed = await app.inject({ method: 'GET', url: '/v1/sessions', headers: { ...bearer(), 'x-forwarded-for': '198.51.100.7' }, remoteAddress: '127.0.0.9' });
  t.equal(spoofed.statusCode, 200);
  t.equal((await app.inject({ method: 'GET', url: '/v1/auth/whoami', headers: { ...bearer('wrong-token-from-untrusted-xxx'), 'x-forwarded-for': '203.0.113.9' }, remoteAddress: '127.0.0.9' })).statusCode, 401,
    'a caller that is not a trusted proxy cannot borrow a locked-out address or escape its own');
});
