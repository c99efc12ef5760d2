import t from 'tap';
import fp from 'fastify-plugin';
import { Type } from '@sinclair/typebox';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { resolvePlugins } from './resolve.js';
import { BootError } from '../errors.js';
import { loadConfig } from '../config/load.js';
import type { Catalogue, CatalogueEntry } from './types.js';
import { DIST } from '../../test/support/paths.js';

const noDocker = { dockerenvPath: '/nonexistent/.dockerenv', cgroupPath: '/nonexistent/cgroup' };

function entry(name: string, deps: string[] = [], enabledByDefault = false, schema = Type.Object({}, { additionalProperties: false })): CatalogueEntry {
  const plugin = fp(async () => {}, { name, fastify: '5.x', dependencies: deps });
  return { load: async () => ({ default: plugin, optionsSchema: schema }), enabledByDefault, description: name };
}

const catalogue: Catalogue = {
  core: entry('core', [], true),
  notifications: entry('notifications', ['core']),
  'notify-slack': entry('notify-slack', ['notifications'], false, Type.Object({
    webhookUrl: Type.String({ minLength: 1 }),
    retries: Type.Integer({ minimum: 0, default: 3 }),
  }, { additionalProperties: false })),
  a: entry('a', ['b']),
  b: entry('b', ['c']),
  c: entry('c', ['a']),
  orphan: entry('orphan', ['not-anywhere']),
};

async function config(plugins: Record<string, unknown>, env: Record<string, string> = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'aegis-plugins-'));
  const c = await loadConfig({ env, cwd: dir, home: dir, dockerProbe: noDocker });
  c.plugins = plugins as typeof c.plugins;
  return c;
}

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  return err instanceof BootError ? err.code : `not a BootError: ${String(err)}`;
}

t.test('default-on plugins run unless set to false, listed ones are added, and dependencies come first', async (t) => {
  const resolved = await resolvePlugins(await config({ 'notify-slack': { webhookUrl: 'http://127.0.0.1:1/hook' } }), catalogue);
  t.same(resolved.map((p) => p.name), ['core', 'notifications', 'notify-slack'], 'unlisted dependency pulled in, ordered before its dependant');
  t.same(resolved[2].options, { webhookUrl: 'http://127.0.0.1:1/hook', retries: 3 }, 'options validated with defaults applied');
  const off = await resolvePlugins(await config({ core: false }), catalogue);
  t.same(off.map((p) => p.name), []);
});

t.test('an unknown plugin stops the boot with a suggestion', async (t) => {
  t.equal(await codeOf(resolvePlugins(await config({ 'notify-slak': {} }), catalogue)), 'AEGIS_ERR_PLUGIN_UNKNOWN');
  t.equal(await codeOf(resolvePlugins(await config({ './nowhere/plugin.js': {} }), catalogue)), 'AEGIS_ERR_PLUGIN_UNKNOWN');
});

t.test('a dependency that is disabled stops the boot', async (t) => {
  const c = await config({ 'notify-slack': { webhookUrl: 'x' }, notifications: false });
  t.equal(await codeOf(resolvePlugins(c, catalogue)), 'AEGIS_ERR_PLUGIN_DEPENDENCY_DISABLED');
});

t.test('a dependency that exists nowhere stops the boot', async (t) => {
  t.equal(await codeOf(resolvePlugins(await config({ orphan: {} }), catalogue)), 'AEGIS_ERR_PLUGIN_DEPENDENCY_UNKNOWN');
});

t.test('a dependency cycle stops the boot naming the cycle', async (t) => {
  const err = await resolvePlugins(await config({ a: {} }), catalogue).catch((e: BootError) => e);
  t.ok(err instanceof BootError);
  t.equal((err as BootError).code, 'AEGIS_ERR_PLUGIN_CYCLE');
  t.match((err as BootError).message, /a -> b -> c -> a/);
});

t.test('invalid plugin options stop the boot naming the option', async (t) => {
  const missing = await resolvePlugins(await config({ 'notify-slack': {} }), catalogue).catch((e: BootError) => e);
  t.equal((missing as BootError).code, 'AEGIS_ERR_PLUGIN_OPTIONS_INVALID');
  t.match((missing as BootError).message, /plugins\.notify-slack/);
  const typo = await resolvePlugins(await config({ 'notify-slack': { webhookUrl: 'x', retires: 1 } }), catalogue).catch((e: BootError) => e);
  t.equal((typo as BootError).code, 'AEGIS_ERR_PLUGIN_OPTIONS_INVALID');
  t.match((typo as BootError).message, /plugins\.notify-slack\.retires/);
});

t.test('an out-of-tree plugin loads by path from examples/ with its options validated', async (t) => {
  const c = await config({});
  const examplePath = join(DIST, 'examples', 'plugins', 'hello', 'index.js');
  c.baseDir = join(DIST, 'kernel');
  const rel = relative(c.baseDir, examplePath);
  c.plugins = { [rel.startsWith('.') ? rel : `./${rel}`]: { greeting: 'Hi' } } as typeof c.plugins;
  const withAuth = { ...catalogue, auth: entry('auth') };
  const resolved = await resolvePlugins(c, withAuth);
  t.same(resolved.map((p) => p.name), ['core', 'auth', 'hello'], 'its dependency on auth is honoured');
  t.same(resolved[2].options, { greeting: 'Hi' });
  c.plugins = { [examplePath]: { greeting: '' } } as typeof c.plugins;
  t.equal(await codeOf(resolvePlugins(c, withAuth)), 'AEGIS_ERR_PLUGIN_OPTIONS_INVALID', 'absolute paths work and options are checked');
});

const SseSchema = Type.Object({
  idleMs: Type.Integer({ minimum: 0, default: 120000 }),
  clientTimeoutMs: Type.Integer({ minimum: 0, default: 300000 }),
  retry: Type.Object({ jitter: Type.Boolean({ default: false }) }, { default: {} }),
}, { additionalProperties: false });
const withEnv: Catalogue = {
  ...catalogue,
  sse: { ...entry('sse', [], true, SseSchema),
    load: async () => ({ ...(await entry('sse', [], true, SseSchema).load()),
      envOptions: { AEGIS_SSE_IDLE_MS: 'idleMs', AEGIS_SSE_CLIENT_TIMEOUT_MS: 'clientTimeoutMs', AEGIS_SSE_JITTER: 'retry.jitter' } }) },
  tracing: { ...entry('tracing', ['core']), enableEnv: 'AEGIS_OTEL_ENABLED' },
  exporter: entry('exporter', ['tracing']),
};

t.test('a plugin\'s declared variables beat its file options, coerced per its schema', async (t) => {
  const file = { sse: { idleMs: 1000, clientTimeoutMs: 2000 } };
  const plain = (await resolvePlugins(await config(file), withEnv)).find((p) => p.name === 'sse')!;
  t.same(plain.options, { idleMs: 1000, clientTimeoutMs: 2000, retry: { jitter: false } }, 'the file alone when the env is silent');
  const env = { AEGIS_SSE_IDLE_MS: '5', AEGIS_SSE_JITTER: 'true', AEGIS_SSE_CLIENT_TIMEOUT_MS: '' };
  const over = (await resolvePlugins(await config(file, env), withEnv)).find((p) => p.name === 'sse')!;
  t.same(over.options, { idleMs: 5, clientTimeoutMs: 2000, retry: { jitter: true } }, 'env wins, nested paths work, empty counts as unset');
  const unlisted = (await resolvePlugins(await config({}, { AEGIS_SSE_IDLE_MS: '7' }), withEnv)).find((p) => p.name === 'sse')!;
  t.equal(unlisted.options.idleMs, 7, 'a default-on plugin absent from the file still gets its variables');
});

t.test('a bad value in a plugin\'s variable stops the boot naming the variable', async (t) => {
  const bad = await resolvePlugins(await config({}, { AEGIS_SSE_IDLE_MS: 'soon' }), withEnv).catch((e: BootError) => e);
  t.equal((bad as BootError).code, 'AEGIS_ERR_CONFIG_INVALID');
  t.match((bad as BootError).message, /AEGIS_SSE_IDLE_MS="soon"/);
  const broken: Catalogue = { sse: { ...withEnv.sse, load: async () => ({ ...(await withEnv.sse.load()), envOptions: { AEGIS_SSE_X: 'nowhere' } }) } };
  t.equal(await codeOf(resolvePlugins(await config({}), broken)), 'AEGIS_ERR_PLUGIN_OPTIONS_INVALID', 'a mapping to an option the schema lacks is refused');
});

t.test('a catalogue entry\'s enable variable turns the plugin on or off over the file', async (t) => {
  const names = async (plugins: Record<string, unknown>, env: Record<string, string>) =>
    (await resolvePlugins(await config(plugins, env), withEnv)).map((p) => p.name);
  t.notOk((await names({}, {})).includes('tracing'), 'off by default');
  t.ok((await names({}, { AEGIS_OTEL_ENABLED: 'true' })).includes('tracing'), 'true turns it on');
  t.ok((await names({ tracing: false }, { AEGIS_OTEL_ENABLED: '1' })).includes('tracing'), 'env beats a false in the file');
  t.notOk((await names({ tracing: {} }, { AEGIS_OTEL_ENABLED: 'false' })).includes('tracing'), 'false turns a listed one off');
  t.equal(await codeOf(resolvePlugins(await config({ exporter: {} }, { AEGIS_OTEL_ENABLED: 'off' }), withEnv)),
    'AEGIS_ERR_PLUGIN_DEPENDENCY_DISABLED', 'a plugin that needs it is refused when the variable turns it off');
  t.equal(await codeOf(resolvePlugins(await config({}, { AEGIS_OTEL_ENABLED: 'maybe' }), withEnv)), 'AEGIS_ERR_CONFIG_INVALID');
});
