import t from 'tap';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startServer } from '../support/server-process.js';
import { REPO_ROOT, runFile, startReceiver, tempDir } from './helpers.js';

const NOTIFY = join(REPO_ROOT, 'deploy/systemd/aegis-failure-notify.sh');
const HEALTH = join(REPO_ROOT, 'deploy/systemd/aegis-healthcheck.sh');
/** No env file: the variable alone decides. */
const NO_FILE = { AEGIS_ENV_FILE: '/nonexistent/aegis.env' };

t.test('the failure alert posts Discord content and embeds to a Discord-shaped URL', async (t) => {
  const rx = await startReceiver(t);
  const r = await runFile(NOTIFY, [], { env: { ...NO_FILE, AEGIS_FAILURE_WEBHOOK: `${rx.base}/api/webhooks/123/tok`, MONITOR_SERVICE_RESULT: 'exit-code', MONITOR_EXIT_STATUS: '1' } });
  t.equal(r.code, 0, r.stderr);
  t.equal(rx.got.length, 1);
  const [got] = rx.got;
  t.equal(got.method, 'POST');
  t.equal(got.path, '/api/webhooks/123/tok');
  t.match(got.headers['content-type'], /application\/json/);
  t.type(got.json.content, 'string');
  t.match(got.json.content, /Aegis is down/);
  t.equal(got.json.embeds.length, 1);
  t.match(got.json.embeds[0], { title: /Aegis is down/, description: /exit-code/, color: Number });
  t.notOk('text' in got.json, 'no Slack fields');
});

t.test('the failure alert posts Slack text and blocks to a Slack-shaped URL', async (t) => {
  const rx = await startReceiver(t);
  const r = await runFile(NOTIFY, ['failure'], { env: { ...NO_FILE, AEGIS_FAILURE_WEBHOOK: `${rx.base}/services/T000/B000/XXXX` } });
  t.equal(r.code, 0, r.stderr);
  t.equal(rx.got.length, 1);
  const body = rx.got[0].json;
  t.match(body.text, /Aegis is down/);
  t.ok(Array.isArray(body.blocks) && body.blocks.length >= 2);
  t.ok(body.blocks.some((b: any) => b.type === 'section' && /journalctl/.test(b.text.text)), 'a section with what to do');
  t.notOk('embeds' in body);
});

t.test('the failure alert posts generic JSON to any other URL, with systemd\'s reason, and escapes what it quotes', async (t) => {
  const rx = await startReceiver(t);
  const r = await runFile(NOTIFY, ['failure', 'said "no"\nthen\tquit \\ here'], {
    env: { ...NO_FILE, AEGIS_FAILURE_WEBHOOK: `${rx.base}/hooks/aegis`, MONITOR_SERVICE_RESULT: 'start-limit-hit', MONITOR_EXIT_CODE: 'exited', MONITOR_EXIT_STATUS: '1', MONITOR_UNIT: 'aegis.service' },
  });
  t.equal(r.code, 0, r.stderr);
  t.equal(rx.got.length, 1);
  t.match(rx.got[0].json, {
    event: 'aegis.failed', service: 'aegis', unit: 'aegis.service', result: 'start-limit-hit', exitCode: 'exited', exitStatus: '1',
    message: 'said "no"\nthen\tquit \\ here', host: String, timestamp: /^\d{4}-\d\d-\d\dT/,
  });
});

t.test('the failure alert reads the webhook from the env file and posts nothing when it is unset', async (t) => {
  const rx = await startReceiver(t);
  const dir = await tempDir('aegis-envfile-');
  const envFile = join(dir, 'aegis.env');
  await writeFile(envFile, `AEGIS_PORT=9100\nAEGIS_FAILURE_WEBHOOK="${rx.base}/from-file"\n`, { mode: 0o600 });
  const fromFile = await runFile(NOTIFY, [], { env: { AEGIS_ENV_FILE: envFile, AEGIS_FAILURE_WEBHOOK: '' } });
  t.equal(fromFile.code, 0, fromFile.stderr);
  t.same(rx.got.map((g) => g.path), ['/from-file']);

  await writeFile(envFile, 'AEGIS_PORT=9100\n');
  for (const env of [{ AEGIS_ENV_FILE: envFile, AEGIS_FAILURE_WEBHOOK: '' }, { ...NO_FILE, AEGIS_FAILURE_WEBHOOK: '' }]) {
    const r = await runFile(NOTIFY, ['failure'], { env });
    t.equal(r.code, 0, 'skipped is not a failure');
    t.equal(r.stdout + r.stderr, '', 'silently');
  }
  t.equal(rx.got.length, 1, 'nothing more was posted');
});

t.test('the health check alerts once when Aegis is down, once when it recovers, and never while healthy', async (t) => {
  const rx = await startReceiver(t);
  const server = await startServer();
  t.teardown(() => server.stop());
  const state = await tempDir('aegis-hc-state-');
  const env = (url: string, hook = `${rx.base}/api/webhooks/1/x`) => ({ ...NO_FILE, AEGIS_HEALTH_URL: url, AEGIS_FAILURE_WEBHOOK: hook, STATE_DIRECTORY: state });
  const healthy = `${server.url}/v1/health`;

  const ok = await runFile(HEALTH, [], { env: env(healthy) });
  t.equal(ok.code, 0, ok.stderr);
  t.equal(rx.got.length, 0, 'healthy: nothing posted');

  // A closed port: the receiver's own port answers no /v1/health; use a port nothing listens on.
  const down = 'http://127.0.0.1:9/v1/health';
  const first = await runFile(HEALTH, [], { env: env(down) });
  t.equal(first.code, 1, 'unhealthy exits 1');
  t.equal(rx.got.length, 1);
  t.match(rx.got[0].json.embeds[0], { title: /health check failed/, description: /127\.0\.0\.1:9/ });
  const second = await runFile(HEALTH, [], { env: env(down) });
  t.equal(second.code, 1);
  t.equal(rx.got.length, 1, 'a continuing outage does not alert every minute');

  const back = await runFile(HEALTH, [], { env: env(healthy) });
  t.equal(back.code, 0);
  t.equal(rx.got.length, 2);
  t.match(rx.got[1].json.embeds[0], { title: /recovered/ });
  await runFile(HEALTH, [], { env: env(healthy) });
  t.equal(rx.got.length, 2);
});

t.test('the health check posts nothing when the webhook is unset', async (t) => {
  const rx = await startReceiver(t);
  const state = await tempDir('aegis-hc-state-');
  const r = await runFile(HEALTH, [], { env: { ...NO_FILE, AEGIS_HEALTH_URL: 'http://127.0.0.1:9/v1/health', AEGIS_FAILURE_WEBHOOK: '', STATE_DIRECTORY: state } });
  t.equal(r.code, 1, 'still reports the failure by its exit code');
  t.equal(rx.got.length, 0);
});
