import t from 'tap';
import { mkdtemp, realpath, rm, symlink, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolvedOptions } from '../../test/support/app.js';
import { bundledClaude, claudeArgs, claudeDataDir, driverEnv, resolveClaude } from './launch.js';

t.test('the CLI is resolved to an absolute real path: configured name, then PATH, then the bundled one', async (t) => {
  const dir = await realpath(await mkdtemp(join(tmpdir(), 'aegis-cc-bin-')));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const real = join(dir, 'claude-real');
  await writeFile(real, '#!/bin/sh\n');
  await chmod(real, 0o755);
  await symlink(real, join(dir, 'claude'));
  t.equal(resolveClaude(undefined, dir, () => undefined), real, 'claude on PATH, symlink resolved');
  t.equal(resolveClaude('claude-real', dir), real);
  t.equal(resolveClaude(join(dir, 'claude'), ''), real, 'a path is taken as given');
  t.equal(resolveClaude(undefined, '/nonexistent', () => real), real, 'else the bundled CLI');
  t.throws(() => resolveClaude(undefined, '/nonexistent', () => undefined), { code: 'AEGIS_ERR_CLAUDE_NOT_FOUND' });
  t.throws(() => resolveClaude('no-such-claude', dir), { code: 'AEGIS_ERR_CLAUDE_NOT_FOUND' });
  t.match(bundledClaude(), /@anthropic-ai\/claude-code\/bin\/claude/, 'the devDependency is found from the install');
});

t.test('a fresh start names its session id, a restart resumes it; mode, settings and extras follow', async (t) => {
  t.same(claudeArgs({ sessionId: 'u1', resume: false, permissionMode: 'plan', settingsFile: '/s.json', extra: ['--model', 'x'] }),
    ['--session-id', 'u1', '--permission-mode', 'plan', '--settings', '/s.json', '--model', 'x']);
  t.same(claudeArgs({ sessionId: 'u1', resume: true, permissionMode: 'default', extra: [] }), ['--resume', 'u1', '--permission-mode', 'default']);
});

t.test('the data dir is CLAUDE_CONFIG_DIR, else the agent HOME when it is not the server HOME, else CLAUDE_DATA_DIR', async (t) => {
  t.same(claudeDataDir({ CLAUDE_CONFIG_DIR: '/cfg', HOME: '/h' }, '/data', '/root'), { dir: '/cfg', add: {} });
  t.same(claudeDataDir({ HOME: '/sandbox' }, '/data', '/root'), { dir: '/sandbox/.claude', add: {} });
  t.same(claudeDataDir({ HOME: '/root' }, '/root/.claude', '/root'), { dir: '/root/.claude', add: {} });
  t.same(claudeDataDir({}, '/data/claude', '/root'), { dir: '/data/claude', add: { CLAUDE_CONFIG_DIR: '/data/claude' } },
    'a CLAUDE_DATA_DIR elsewhere is handed to the CLI so it writes where Aegis reads');
});

t.test('IS_SANDBOX is set only for bypassPermissions as root', async (t) => {
  t.same(driverEnv('bypassPermissions', 0), { TERM: 'xterm-256color', IS_SANDBOX: '1' });
  t.same(driverEnv('bypassPermissions', 1000), { TERM: 'xterm-256color' });
  t.same(driverEnv('default', 0), { TERM: 'xterm-256color' });
});

t.test('of the server env only the allowlist reaches the CLI: ANTHROPIC_* yes, the master token and other secrets no', async (t) => {
  const { sessionEnv } = await import('./start.js');
  const { agentEnv } = await import('../sessions/index.js');
  const source = {
    PATH: '/bin', AEGIS_AUTH_TOKEN: 'master-token-must-not-leak', SERVER_ONLY_SECRET: 's3', ANTHROPIC_BASE_URL: 'http://127.0.0.1:1',
    CLAUDE_CODE_MAX_RETRIES: '0', DISABLE_TELEMETRY: '1', CLAUDE_CONFIG_DIR: '/root/.claude-server',
  };
  const ctx = {
    record: { env: { FOO: 'bar' }, permissionMode: 'default' } as never,
    agentUser: undefined,
    agentEnv: (pass: readonly string[], ...layers: Array<Record<string, string> | undefined>) => agentEnv({ pass, source }, ...layers),
  };
  const { env } = sessionEnv(ctx, { env: { HOME: '/sandbox', AEGIS_FOR_AGENT: 'x' }, claudeDataDir: '/data' });
  t.equal(env.AEGIS_AUTH_TOKEN, undefined);
  t.equal(env.SERVER_ONLY_SECRET, undefined);
  t.equal(env.CLAUDE_CONFIG_DIR, undefined, "the server's own Claude folder is not handed on");
  t.match(env, { ANTHROPIC_BASE_URL: 'http://127.0.0.1:1', CLAUDE_CODE_MAX_RETRIES: '0', DISABLE_TELEMETRY: '1', PATH: '/bin' });
  t.equal(env.AEGIS_FOR_AGENT, 'x', 'unless the options give it on purpose');
  t.equal(env.FOO, 'bar');
  t.equal(env.HOME, '/sandbox');
});

t.test("with an agent user the CLI keeps its files under that user's HOME, whatever CLAUDE_DATA_DIR says", async (t) => {
  t.same(claudeDataDir({ HOME: '/home/agent' }, '/var/lib/claude', '/root', true), { dir: '/home/agent/.claude', add: {} });
  t.same(claudeDataDir({ HOME: '/root' }, '/var/lib/claude', '/root'), { dir: '/var/lib/claude', add: { CLAUDE_CONFIG_DIR: '/var/lib/claude' } });
});

t.test('CLAUDE_DATA_DIR is read into the dataDir option and beats the file', async (t) => {
  const stateDir = await realpath(await mkdtemp(join(tmpdir(), 'aegis-cc-opts-')));
  t.teardown(() => rm(stateDir, { recursive: true, force: true }));
  const plain = await resolvedOptions({ stateDir });
  t.equal(plain['claude-code'].dataDir, '~/.claude', 'the default, resolved against the home at start');
  const fromFile = await resolvedOptions({ stateDir, plugins: { 'claude-code': { dataDir: '/file/claude' } } });
  t.equal(fromFile['claude-code'].dataDir, '/file/claude');
  const fromEnv = await resolvedOptions({ stateDir, plugins: { 'claude-code': { dataDir: '/file/claude' } }, env: { CLAUDE_DATA_DIR: '/data/claude' } });
  t.equal(fromEnv['claude-code'].dataDir, '/data/claude');
});
