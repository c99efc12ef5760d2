import t from 'tap';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type LoadOptions } from './load.js';
import { BootError } from '../errors.js';

const noDocker = { dockerenvPath: '/nonexistent/.dockerenv', cgroupPath: '/nonexistent/cgroup' };

async function dirs() {
  const root = await mkdtemp(join(tmpdir(), 'aegis-config-'));
  const cwd = join(root, 'project');
  const home = join(root, 'home');
  await mkdir(cwd, { recursive: true });
  await mkdir(home, { recursive: true });
  return { root, cwd, home };
}

const load = (o: LoadOptions) => loadConfig({ dockerProbe: noDocker, env: {}, ...o });

async function bootError(t: { ok(...a: any[]): unknown; notOk(...a: any[]): unknown }, p: Promise<unknown>): Promise<BootError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  t.ok(err instanceof BootError, 'a BootError stops the boot');
  const e = err as BootError;
  t.notOk(e.message.includes('\n'), 'the message is one line');
  t.notOk(/\bat .+:\d+:\d+/.test(e.message), 'no stack trace in it');
  return e;
}

t.test('with no file and no environment the embedded defaults apply', async (t) => {
  const { cwd, home } = await dirs();
  const c = await load({ cwd, home });
  t.equal(c.server.port, 9100);
  t.equal(c.server.host, '127.0.0.1');
  t.equal(c.stateDir, join(home, '.aegis'));
  t.equal(c.claudeDataDir, join(home, '.claude'));
  t.equal(c.server.shutdownGraceMs, 15000);
  t.equal(c.server.shutdownHardMs, 20000);
  t.equal(c.sse.idleMs, 120000);
  t.equal(c.sse.clientTimeoutMs, 300000);
  t.equal(c.hooks.timeoutMs, 10000);
  t.equal(c.server.dashboardUrl, 'http://localhost:9100/dashboard');
  t.same(c.otel, { enabled: false, endpoint: 'http://localhost:4318', serviceName: 'aegis', sampleRate: 1 });
  t.equal(c.server.authToken, undefined);
  t.equal(c.source, undefined);
});

t.test('the file overrides defaults and the environment overrides the file', async (t) => {
  const { cwd, home } = await dirs();
  await mkdir(join(cwd, '.aegis'));
  await writeFile(join(cwd, '.aegis', 'config.yaml'), 'version: 1\nserver:\n  port: 9200\n  shutdownGraceMs: 500\nsse:\n  idleMs: 1000\n');
  const fromFile = await load({ cwd, home });
  t.equal(fromFile.server.port, 9200, 'file beats default');
  t.equal(fromFile.server.shutdownGraceMs, 500);
  t.equal(fromFile.sse.idleMs, 1000);
  t.equal(fromFile.server.shutdownHardMs, 20000, 'unset keys keep defaults');
  const withEnv = await load({ cwd, home, env: { AEGIS_PORT: '9300', AEGIS_SSE_IDLE_MS: '2000', AEGIS_OTEL_ENABLED: 'true', AEGIS_OTEL_SAMPLE_RATE: '0.25' } });
  t.equal(withEnv.server.port, 9300, 'env beats file');
  t.equal(withEnv.sse.idleMs, 2000);
  t.equal(withEnv.server.shutdownGraceMs, 500, 'file still applies where env is silent');
  t.equal(withEnv.otel.enabled, true);
  t.equal(withEnv.otel.sampleRate, 0.25);
});

t.test('every variable of the deployment guide lands in the config', async (t) => {
  const { cwd, home } = await dirs();
  const c = await load({ cwd, home, env: {
    AEGIS_AUTH_TOKEN: 'a-token-of-sufficient-length', AEGIS_PORT: '1234', AEGIS_HOST: '::1', AEGIS_STATE_DIR: '/var/lib/aegis',
    AEGIS_DASHBOARD_URL: 'https://aegis.example/dashboard', CLAUDE_DATA_DIR: '/data/claude', AEGIS_SSE_IDLE_MS: '1',
    AEGIS_SSE_CLIENT_TIMEOUT_MS: '2', AEGIS_HOOK_TIMEOUT_MS: '3', AEGIS_SHUTDOWN_GRACE_MS: '4', AEGIS_SHUTDOWN_HARD_MS: '5',
    AEGIS_OTEL_OTLP_ENDPOINT: 'http://127.0.0.1:4318', AEGIS_OTEL_SERVICE_NAME: 'aegis-test',
  } });
  t.equal(c.server.authToken, 'a-token-of-sufficient-length');
  t.equal(c.server.port, 1234);
  t.equal(c.server.host, '::1');
  t.equal(c.stateDir, '/var/lib/aegis');
  t.equal(c.server.dashboardUrl, 'https://aegis.example/dashboard');
  t.equal(c.claudeDataDir, '/data/claude');
  t.same([c.sse.idleMs, c.sse.clientTimeoutMs, c.hooks.timeoutMs, c.server.shutdownGraceMs, c.server.shutdownHardMs], [1, 2, 3, 4, 5]);
  t.equal(c.otel.endpoint, 'http://127.0.0.1:4318');
  t.equal(c.otel.serviceName, 'aegis-test');
});

t.test('a YAML file and a JSON file each load', async (t) => {
  const a = await dirs();
  await writeFile(join(a.cwd, 'aegis.config.json'), JSON.stringify({ version: 1, server: { port: 9400 }, tenantWorkdirs: { 'tenant-a': { root: '/tenants/a', allowedPaths: ['projects'] } } }));
  const json = await load({ cwd: a.cwd, home: a.home });
  t.equal(json.server.port, 9400);
  t.same(json.tenantWorkdirs['tenant-a'], { root: '/tenants/a', allowedPaths: ['projects'] });
  t.equal(json.source, join(a.cwd, 'aegis.config.json'));
  const b = await dirs();
  await writeFile(join(b.cwd, '.aegisrc.yaml'), 'server:\n  port: 9401\ntenantWorkdirs:\n  tenant-b:\n    root: /tenants/b\n');
  const yaml = await load({ cwd: b.cwd, home: b.home });
  t.equal(yaml.server.port, 9401);
  t.same(yaml.tenantWorkdirs['tenant-b'], { root: '/tenants/b' });
});

t.test('package.json#aegis, ~/.aegis/config.yaml and --config are found too', async (t) => {
  const a = await dirs();
  await writeFile(join(a.cwd, 'package.json'), JSON.stringify({ name: 'x', aegis: { server: { port: 9500 } } }));
  t.equal((await load({ cwd: a.cwd, home: a.home })).server.port, 9500);
  const b = await dirs();
  await mkdir(join(b.home, '.aegis'));
  await writeFile(join(b.home, '.aegis', 'config.yaml'), 'server:\n  port: 9501\n');
  t.equal((await load({ cwd: b.cwd, home: b.home })).server.port, 9501, 'user file when the project has none');
  await writeFile(join(b.cwd, 'custom.yaml'), 'server:\n  port: 9502\n');
  t.equal((await load({ cwd: b.cwd, home: b.home, configPath: 'custom.yaml' })).server.port, 9502, '--config wins over the search');
  const e = await bootError(t, load({ cwd: b.cwd, home: b.home, configPath: 'nope.yaml' }));
  t.equal(e.code, 'AEGIS_ERR_CONFIG_NOT_FOUND');
});

t.test('a typo in a key stops the boot naming the key and the known keys', async (t) => {
  const { cwd, home } = await dirs();
  await writeFile(join(cwd, 'aegis.config.json'), JSON.stringify({ server: { prot: 9100 } }));
  const e = await bootError(t, load({ cwd, home }));
  t.equal(e.code, 'AEGIS_ERR_CONFIG_INVALID');
  t.match(e.message, /server\.prot/);
  t.match(e.message, /port/);
});

t.test('a wrong type stops the boot naming the key, the value and what was expected', async (t) => {
  const { cwd, home } = await dirs();
  await writeFile(join(cwd, 'aegis.config.json'), JSON.stringify({ server: { port: 'ninety' } }));
  const e = await bootError(t, load({ cwd, home }));
  t.equal(e.code, 'AEGIS_ERR_CONFIG_INVALID');
  t.match(e.message, /server\.port/);
  t.match(e.message, /"ninety"/);
  t.match(e.message, /integer/);
});

t.test('a bad environment value stops the boot naming the variable', async (t) => {
  const { cwd, home } = await dirs();
  const e = await bootError(t, load({ cwd, home, env: { AEGIS_PORT: '91OO' } }));
  t.equal(e.code, 'AEGIS_ERR_CONFIG_INVALID');
  t.match(e.message, /AEGIS_PORT="91OO"/);
  const range = await bootError(t, load({ cwd, home, env: { AEGIS_PORT: '70000' } }));
  t.match(range.message, /server\.port=70000/);
});

t.test('{ENV} placeholders expand, and a missing one is a clear error', async (t) => {
  const { cwd, home } = await dirs();
  await writeFile(join(cwd, '.aegisrc.yaml'), 'server:\n  dashboardUrl: "https://{PUBLIC_HOST}/dashboard"\n');
  const c = await load({ cwd, home, env: { PUBLIC_HOST: 'aegis.example' } });
  t.equal(c.server.dashboardUrl, 'https://aegis.example/dashboard');
  const e = await bootError(t, load({ cwd, home, env: {} }));
  t.equal(e.code, 'AEGIS_ERR_CONFIG_ENV_MISSING');
  t.match(e.message, /server\.dashboardUrl/);
  t.match(e.message, /PUBLIC_HOST/);
});

t.test('a file that does not parse stops the boot with one line', async (t) => {
  const { cwd, home } = await dirs();
  await writeFile(join(cwd, 'aegis.config.json'), '{ "server": { "port": 9100, }');
  const e = await bootError(t, load({ cwd, home }));
  t.equal(e.code, 'AEGIS_ERR_CONFIG_PARSE');
});
