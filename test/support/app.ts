import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../kernel/app.js';
import { loadConfig } from '../../kernel/config/load.js';
import { resolvePlugins } from '../../kernel/plugins/resolve.js';
import { catalogue as realCatalogue } from '../../plugins/index.js';
import type { Catalogue } from '../../kernel/plugins/types.js';

/** A 32-character master token for tests. */
export const TEST_TOKEN = 'test-master-token-0123456789abcdef';

export interface TestAppOptions {
  /** The config's `plugins:` map. */
  plugins?: Record<string, unknown>;
  env?: Record<string, string>;
  stateDir?: string;
  catalogue?: Catalogue;
  /** Extra top-level config (tenantWorkdirs, sse ...). */
  config?: Record<string, unknown>;
}

async function testConfig(opts: TestAppOptions, stateDir: string) {
  const env = { AEGIS_HOST: '127.0.0.1', AEGIS_STATE_DIR: stateDir, AEGIS_AUTH_TOKEN: TEST_TOKEN, ...opts.env };
  const config = await loadConfig({ env, cwd: stateDir, home: stateDir, dockerProbe: { dockerenvPath: '/nonexistent', cgroupPath: '/nonexistent' } });
  config.plugins = (opts.plugins ?? {}) as typeof config.plugins;
  Object.assign(config, opts.config ?? {});
  return config;
}

/**
 * The options each plugin would be registered with (file, env overlay and defaults applied),
 * by plugin name, without building the app. `~` is the state directory, as in buildTestApp.
 */
export async function resolvedOptions(opts: TestAppOptions & { stateDir: string }): Promise<Record<string, Record<string, unknown>>> {
  const plugins = await resolvePlugins(await testConfig(opts, opts.stateDir), opts.catalogue ?? realCatalogue);
  return Object.fromEntries(plugins.map((p) => [p.name, p.options]));
}

/** Builds an in-process app (no listen) on a fresh state directory, logging silently. */
export async function buildTestApp(opts: TestAppOptions = {}): Promise<FastifyInstance> {
  const stateDir = opts.stateDir ?? await mkdtemp(join(tmpdir(), 'aegis-app-'));
  const config = await testConfig(opts, stateDir);
  return buildApp(config, { catalogue: opts.catalogue ?? realCatalogue, logger: pino({ level: process.env.AEGIS_TEST_LOG_LEVEL ?? 'silent' }) });
}

/** The Authorization header for a token. */
export const bearer = (token = TEST_TOKEN) => ({ authorization: `Bearer ${token}` });
