import t from 'tap';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request as httpRequest } from 'node:http';
import { startServer } from './support/server-process.js';
import { DIST } from './support/paths.js';
import { TEST_TOKEN } from './support/app.js';

const SLOW_PLUGIN = join(DIST, 'test', 'fixtures', 'slow-routes-plugin.js');

/** A project folder whose config loads the test-only slow routes by path. */
async function projectWithSlowRoutes(): Promise<string> {
  const cwd = await mkdtemp(join(tmpdir(), 'aegis-proc-'));
  await writeFile(join(cwd, 'aegis.config.json'), JSON.stringify({ version: 1, plugins: { [SLOW_PLUGIN]: {} } }));
  return cwd;
}

/** A GET that resolves with status and body, or with the socket error when the server cuts it. */
function get(url: string, token?: string): Promise<{ status?: number; body?: string; error?: string }> {
  return new Promise((resolve) => {
    const req = httpRequest(url, { headers: token ? { authorization: `Bearer ${token}` } : {} }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode, body }));
      res.on('error', (e) => resolve({ error: e.message }));
    });
    req.on('error', (e) => resolve({ error: (e as NodeJS.ErrnoException).code ?? e.message }));
    req.end();
  });
}

t.test('the real process answers /v1/health on a free port without a token', async (t) => {
  const server = await startServer({ env: { AEGIS_AUTH_TOKEN: TEST_TOKEN } });
  t.teardown(() => server.stop('SIGKILL'));
  const res = await get(`${server.url}/v1/health`);
  t.equal(res.status, 200);
  const body = JSON.parse(res.body!);
  t.equal(body.status, 'ok');
  t.match(body.version, /^\d+\.\d+\.\d+/);
  t.type(body.uptime, 'number');
  t.same(Object.keys(body).sort(), ['status', 'uptime', 'version']);
  t.equal((await get(`${server.url}/v1/openapi.json`)).status, 401, 'other routes need the token');
  t.equal((await server.stop()).code, 0);
});

t.test('SIGTERM during a slow request reports draining, refuses new work, lets it finish, then exits 0', async (t) => {
  const server = await startServer({ cwd: await projectWithSlowRoutes(), env: { AEGIS_AUTH_TOKEN: TEST_TOKEN } });
  t.teardown(() => server.stop('SIGKILL'));
  const slow = get(`${server.url}/test/slow?ms=1500`, TEST_TOKEN);
  await server.waitForLog((l) => l.msg === 'slow request started');
  server.proc.kill('SIGTERM');
  await server.waitForLog((l) => l.msg === 'draining');
  const health = await get(`${server.url}/v1/health`);
  t.equal(health.status, 503, 'health is 503 while draining');
  t.equal(JSON.parse(health.body!).status, 'draining');
  const fresh = await get(`${server.url}/v1/openapi.json`, TEST_TOKEN);
  t.equal(fresh.status, 503);
  t.equal(JSON.parse(fresh.body!).code, 'AEGIS_ERR_SERVER_DRAINING');
  const done = await slow;
  t.equal(done.status, 200, 'the in-flight request completed');
  t.same(JSON.parse(done.body!), { slept: 1500 });
  const exit = await server.exited;
  t.equal(exit.code, 0);
});

t.test('a handler that never ends is cut at the hard limit and the exit code is 1', async (t) => {
  const server = await startServer({
    cwd: await projectWithSlowRoutes(),
    env: { AEGIS_AUTH_TOKEN: TEST_TOKEN, AEGIS_SHUTDOWN_GRACE_MS: '60000', AEGIS_SHUTDOWN_HARD_MS: '1000' },
  });
  t.teardown(() => server.stop('SIGKILL'));
  const hang = get(`${server.url}/test/hang`, TEST_TOKEN);
  await server.waitForLog((l) => l.msg === 'hanging request started');
  server.proc.kill('SIGTERM');
  const exit = await server.exited;
  t.equal(exit.code, 1);
  t.ok(server.logs.some((l) => l.msg === 'shutdown passed the hard limit; exiting 1'), 'the hard limit is logged');
  t.ok((await hang).error, 'the hanging request was cut');
});

t.test('past the grace period the remaining requests are cut and shutdown completes with 0', async (t) => {
  const server = await startServer({
    cwd: await projectWithSlowRoutes(),
    env: { AEGIS_AUTH_TOKEN: TEST_TOKEN, AEGIS_SHUTDOWN_GRACE_MS: '300', AEGIS_SHUTDOWN_HARD_MS: '10000' },
  });
  t.teardown(() => server.stop('SIGKILL'));
  const hang = get(`${server.url}/test/hang`, TEST_TOKEN);
  await server.waitForLog((l) => l.msg === 'hanging request started');
  server.proc.kill('SIGTERM');
  const exit = await server.exited;
  t.equal(exit.code, 0);
  t.ok(server.logs.some((l) => l.msg === 'grace period over; cutting the requests still in flight'));
  t.ok((await hang).error, 'the hanging request was cut');
});

t.test('a bad config stops the real process with one line on stderr and a non-zero exit', async (t) => {
  const cwd = await mkdtemp(join(tmpdir(), 'aegis-badcfg-'));
  await writeFile(join(cwd, 'aegis.config.json'), JSON.stringify({ server: { port: 'ninety' } }));
  const server = await startServer({ cwd, expectExit: true, env: { AEGIS_PORT: '' } });
  const exit = await server.exited;
  t.equal(exit.code, 2);
  t.same(server.stderr.filter((l) => !l.startsWith('(node:') && !l.includes('--trace-warnings')), [server.stderr.at(-1)], 'exactly one line of its own (Node warnings aside)');
  t.notMatch(server.stderr.join('\n'), /\n\s+at /, 'no stack trace');
  t.match(server.stderr.at(-1), /^aegis: config: server\.port="ninety" is invalid: .*\[AEGIS_ERR_CONFIG_INVALID\]$/);
  const plugin = await mkdtemp(join(tmpdir(), 'aegis-badplugin-'));
  await writeFile(join(plugin, 'aegis.config.json'), JSON.stringify({ plugins: { 'no-such-plugin': {} } }));
  const second = await startServer({ cwd: plugin, expectExit: true });
  t.equal((await second.exited).code, 2);
  t.match(second.stderr.join('\n'), /\[AEGIS_ERR_PLUGIN_UNKNOWN\]$/);
});

t.test('an unknown AEGIS_LOG_LEVEL stops the real process with one line and exit 2', async (t) => {
  const server = await startServer({ expectExit: true, env: { AEGIS_AUTH_TOKEN: TEST_TOKEN, AEGIS_LOG_LEVEL: 'verbose' } });
  t.equal((await server.exited).code, 2);
  const own = server.stderr.filter((l) => !l.startsWith('(node:') && !l.includes('--trace-warnings'));
  t.equal(own.length, 1, 'exactly one line of its own');
  t.notMatch(server.stderr.join('\n'), /\n\s+at /, 'no stack trace');
  t.match(own[0], /^aegis: config: AEGIS_LOG_LEVEL="verbose" is invalid: .*\[AEGIS_ERR_CONFIG_INVALID\]$/);
});

t.test('a generated token is announced by its file path, never printed', async (t) => {
  const server = await startServer({ env: { AEGIS_AUTH_TOKEN: '' } });
  t.teardown(() => server.stop('SIGKILL'));
  const line = await server.waitForLog((l) => typeof l.tokenFile === 'string');
  const { readFile } = await import('node:fs/promises');
  const token = (await readFile(String(line.tokenFile), 'utf8')).trim();
  const all = server.logs.map((l) => JSON.stringify(l)).join('\n') + server.stderr.join('\n');
  t.notOk(all.includes(token), 'the token is in no log line');
  t.equal((await get(`${server.url}/v1/openapi.json`, token)).status, 200);
  t.equal((await server.stop()).code, 0);
});
