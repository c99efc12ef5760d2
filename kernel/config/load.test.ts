import t from 'tap';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envOf, loadConfig, resolveConfigPath, type LoadOptions } from './load.js';
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
  t.equal(c.homeDir, home);
  t.equal(c.server.shutdownGraceMs, 15000);
  t.equal(c.server.shutdownHardMs, 20000);
  t.equal(c.logLevel, 'info');
  t.equal(c.logFormat, 'auto', 'pretty on a terminal, JSON lines otherwise');
  t.equal(c.server.authToken, undefined);
  t.equal(c.source, undefined);
  t.same(Object.keys(c).sort(), ['baseDir', 'homeDir', 'logFormat', 'logLevel', 'plugins', 'server', 'stateDir', 'tenantWorkdirs', 'version'],
    'the kernel holds only its own options; plugins keep theirs in plugins.<name>');
});

t.test('the file overrides defaults and the environment overrides the file', async (t) => {
  const { cwd, home } = await dirs();
  await mkdir(join(cwd, '.aegis'));
  await writeFile(join(cwd, '.aegis', 'config.yaml'), 'version: 1\nlogLevel: warn\nserver:\n  port: 9200\n  shutdownGraceMs: 500\n');
  const fromFile = await load({ cwd, home });
  t.equal(fromFile.server.port, 9200, 'file beats default');
  t.equal(fromFile.server.shutdownGraceMs, 500);
  t.equal(fromFile.logLevel, 'warn');
  t.equal(fromFile.server.shutdownHardMs, 20000, 'unset keys keep defaults');
  const withEnv = await load({ cwd, home, env: { AEGIS_PORT: '9300', AEGIS_LOG_LEVEL: 'debug' } });
  t.equal(withEnv.server.port, 9300, 'env beats file');
  t.equal(withEnv.logLevel, 'debug');
  t.equal(withEnv.server.shutdownGraceMs, 500, 'file still applies where env is silent');
});

t.test('every kernel variable of the deployment guide lands in the config', async (t) => {
  const { cwd, home } = await dirs();
  const c = await load({ cwd, home, env: {
    AEGIS_AUTH_TOKEN: 'a-token-of-sufficient-length', AEGIS_PORT: '1234', AEGIS_HOST: '::1', AEGIS_STATE_DIR: '/var/lib/aegis',
    AEGIS_SHUTDOWN_GRACE_MS: '4', AEGIS_SHUTDOWN_HARD_MS: '5', AEGIS_LOG_LEVEL: 'trace',
  } });
  t.equal(c.server.authToken, 'a-token-of-sufficient-length');
  t.equal(c.server.port, 1234);
  t.equal(c.server.host, '::1');
  t.equal(c.stateDir, '/var/lib/aegis');
  t.same([c.server.shutdownGraceMs, c.server.shutdownHardMs], [4, 5]);
  t.equal(c.logLevel, 'trace');
});

t.test('an unknown AEGIS_LOG_LEVEL stops the boot naming the variable and the levels', async (t) => {
  const { cwd, home } = await dirs();
  const e = await bootError(t, load({ cwd, home, env: { AEGIS_LOG_LEVEL: 'verbose' } }));
  t.equal(e.code, 'AEGIS_ERR_CONFIG_INVALID');
  t.match(e.message, /AEGIS_LOG_LEVEL="verbose"/);
  t.match(e.message, /debug/);
});

t.test('AEGIS_LOG_FORMAT picks the log output, and an unknown one stops the boot naming the choices', async (t) => {
  const { cwd, home } = await dirs();
  t.equal((await load({ cwd, home, env: { AEGIS_LOG_FORMAT: 'json' } })).logFormat, 'json');
  t.equal((await load({ cwd, home, env: { AEGIS_LOG_FORMAT: 'pretty' } })).logFormat, 'pretty');
  const e = await bootError(t, load({ cwd, home, env: { AEGIS_LOG_FORMAT: 'xml' } }));
  t.equal(e.code, 'AEGIS_ERR_CONFIG_INVALID');
  t.match(e.message, /AEGIS_LOG_FORMAT="xml"/);
  t.match(e.message, /pretty/);
});

t.test('AEGIS_CONFIG names the file like --config, and --config beats it', async (t) => {
  const { cwd, home } = await dirs();
  await writeFile(join(cwd, 'from-env.yaml'), 'server:\n  port: 9601\n');
  await writeFile(join(cwd, 'from-flag.yaml'), 'server:\n  port: 9602\n');
  t.equal((await load({ cwd, home, env: { AEGIS_CONFIG: 'from-env.yaml' } })).server.port, 9601);
  t.equal((await load({ cwd, home, env: { AEGIS_CONFIG: 'from-env.yaml' }, configPath: 'from-flag.yaml' })).server.port, 9602);
  const e = await bootError(t, load({ cwd, home, env: { AEGIS_CONFIG: 'missing.yaml' } }));
  t.equal(e.code, 'AEGIS_ERR_CONFIG_NOT_FOUND');
});

t.test('configured paths resolve from the file folder and ~ is the home of the load', async (t) => {
  const { cwd, home } = await dirs();
  const c = await load({ cwd, home });
  t.equal(resolveConfigPath(c, '~/.claude'), join(home, '.claude'));
  t.equal(resolveConfigPath(c, 'data'), join(cwd, 'data'));
  t.equal(resolveConfigPath(c, '/abs/path'), '/abs/path');
});

t.test('plugin resolution sees the environment the config was loaded with, not the process one', async (t) => {
  const { cwd, home } = await dirs();
  const c = await load({ cwd, home, env: { SOME_PLUGIN_VAR: 'x' } });
  t.equal(envOf(c).SOME_PLUGIN_VAR, 'x');
  t.equal(envOf(c).PATH, undefined, 'nothing from process.env leaks in when an env is given');
  t.same(envOf({ ...c }), {}, 'a config not made by loadConfig carries no environment');
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
  await writeFile(join(cwd, '.aegisrc.yaml'), 'plugins:\n  dashboard:\n    url: "https://{PUBLIC_HOST}/dashboard"\n');
  const c = await load({ cwd, home, env: { PUBLIC_HOST: 'aegis.example' } });
  t.same(c.plugins.dashboard, { url: 'https://aegis.example/dashboard' });
  const e = await bootError(t, load({ cwd, home, env: {} }));
  t.equal(e.code, 'AEGIS_ERR_CONFIG_ENV_MISSING');
  t.match(e.message, /plugins\.dashboard\.url/);
  t.match(e.message, /PUBLIC_HOST/);
});

t.test('a file that does not parse stops the boot with one line', async (t) => {
  const { cwd, home } = await dirs();
  await writeFile(join(cwd, 'aegis.config.json'), '{ "server": { "port": 9100, }');
  const e = await bootError(t, load({ cwd, home }));
  t.equal(e.code, 'AEGIS_ERR_CONFIG_PARSE');
});
