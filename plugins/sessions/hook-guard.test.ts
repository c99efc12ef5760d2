import t from 'tap';
import { fakeDriverPlugin } from './fake-driver.js';
import { cleanup, makeApp, type TestApp } from './test-helpers.js';

const fake = fakeDriverPlugin();
let h: TestApp;
let id: string;
let secret: string;
const rejected: Array<{ reason: string; failures: number }> = [];

t.before(async () => {
  h = await makeApp({ extra: { ...fake.catalogue }, sessions: { hookBodyLimit: 4096, hookFailures: { max: 3, windowMs: 60000 } } });
  h.app.events.on('hook.rejected', (p) => rejected.push({ reason: p.reason, failures: p.failures }));
  id = (await h.inject('POST', '/v1/sessions', { workDir: h.work, agent: 'fake' })).json.id;
  secret = fake.log.contexts.get(id)!.hookSecret;
});
t.teardown(async () => { await h.app.close(); await cleanup(h.stateDir, h.work); });

const hook = (headers: Record<string, string>, payload: string) => h.app.inject({
  method: 'POST', url: `/v1/hooks/${id}/PreToolUse`, headers: { 'content-type': 'application/json', ...headers }, payload,
});
const big = JSON.stringify({ command: 'x'.repeat(10_000) });

t.test('a wrong secret is refused before the body is read', async (t) => {
  const res = await hook({ 'x-aegis-hook-secret': 'wrong' }, big);
  t.equal(res.statusCode, 403, 'not 413: the over-limit body was never parsed');
  t.equal(res.json().code, 'AEGIS_ERR_SESSION_HOOK_SECRET_INVALID');
  t.same(rejected.at(-1), { reason: 'invalid', failures: 1 });
});

t.test('refusals past the limit answer 429 and are recorded once as throttled', async (t) => {
  t.equal((await hook({}, '{}')).json().code, 'AEGIS_ERR_SESSION_HOOK_SECRET_MISSING');
  t.equal((await hook({ 'x-aegis-hook-secret': 'wrong' }, '{}')).statusCode, 403);
  for (let i = 0; i < 5; i++) {
    const res = await hook({ 'x-aegis-hook-secret': 'wrong' }, '{}');
    t.equal(res.statusCode, 429);
    t.equal(res.json().code, 'AEGIS_ERR_SESSION_HOOK_THROTTLED');
  }
  t.same(rejected.map((r) => r.reason), ['invalid', 'missing', 'invalid', 'throttled'], 'a flood leaves a bounded number of records');
});

t.test('the right secret still gets through from a throttled address', async (t) => {
  const before = fake.log.hooks.length;
  const res = await hook({ 'x-aegis-hook-secret': secret }, JSON.stringify({ command: 'ls' }));
  t.equal(res.statusCode, 200);
  t.equal(fake.log.hooks.length, before + 1, 'the driver got the hook');
});
