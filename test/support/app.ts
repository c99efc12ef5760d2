import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../kernel/app.js';
import { loadConfig } from '../../kernel/config/load.js';
import { loggerOptions } from '../../kernel/logger.js';
import { resolvePlugins } from '../../kernel/plugins/resolve.js';
import { catalogue as realCatalogue } from '../../plugins/index.js';
import type { Catalogue } from '../../kernel/index.js';
import type { CreateKeyInput } from '../../plugins/auth/index.js';

/** A 32-character master token for tests. */
export const TEST_TOKEN = 'test-master-token-0123456789abcdef';

export interface TestAppOptions {
  /** The config's `plugins:` map. */
  plugins?: Record<string, unknown>;
  env?: Record<string, string>;
  stateDir?: string;
  catalogue?: Catalogue;
  /** Extra top-level config (tenantWorkdirs ...). */
  config?: Record<string, unknown>;
  /** The root logger; silent unless AEGIS_TEST_LOG_LEVEL says otherwise. */
  logger?: Logger;
}

/**
 * A root logger built exactly as the server builds it (redaction included), writing its lines
 * into `lines`: for tests that prove what never reaches a log.
 */
export function recordingLogger(level = 'trace'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
  return { logger: pino(loggerOptions(level), sink), lines };
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
  const logger = opts.logger ?? pino({ level: process.env.AEGIS_TEST_LOG_LEVEL ?? 'silent' });
  return buildApp(config, { catalogue: opts.catalogue ?? realCatalogue, logger });
}

/** The Authorization header for a token. */
export const bearer = (token = TEST_TOKEN) => ({ authorization: `Bearer ${token}` });

/** A program that says it is ready, then answers each line with `got:<line>`. */
export const ECHO = { command: 'bash', args: ['-c', 'echo ready; while IFS= read -r line; do echo "got:$line"; done'] };

/** An app with just auth, sessions (and the command driver), a scratch workDir and a JSON inject. */
export interface SessionsTestApp {
  app: FastifyInstance;
  stateDir: string;
  /** A scratch folder to use as workDir. */
  work: string;
  inject(method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; json: any; raw: string }>;
}

export interface SessionsAppOptions {
  stateDir?: string;
  /** `plugins.sessions` options over the test defaults (killGraceMs 1000). */
  sessions?: Record<string, unknown>;
  /** `plugins.command` options over ECHO; `false` leaves the command driver out. */
  command?: Record<string, unknown> | false;
  /** Extra catalogue entries, all enabled. */
  extra?: Catalogue;
  /** Options of other plugins (the extra ones), by plugin name. */
  plugins?: Record<string, unknown>;
}

/** Builds the app as the server would, with just auth, sessions (and command), on a temp state dir. */
export async function sessionsApp(opts: SessionsAppOptions = {}): Promise<SessionsTestApp> {
  const stateDir = opts.stateDir ?? await mkdtemp(join(tmpdir(), 'aegis-sessions-state-'));
  const work = await mkdtemp(join(tmpdir(), 'aegis-sessions-work-'));
  // Extras first: plugins that watch routes being added (openapi) must load before sessions.
  const catalogue: Record<string, Catalogue[string]> = { ...opts.extra, auth: realCatalogue.auth, sessions: realCatalogue.sessions };
  const plugins: Record<string, unknown> = { ...opts.plugins, sessions: { killGraceMs: 1000, ...opts.sessions } };
  if (opts.command !== false) {
    catalogue.command = realCatalogue.command;
    // JSON round trip: a key set to undefined in a test means "leave the option out".
    plugins.command = JSON.parse(JSON.stringify({ ...ECHO, quietMs: 150, allowedCommands: ['bash'], ...opts.command }));
  }
  const app = await buildTestApp({ stateDir, catalogue, plugins, env: { AEGIS_PORT: '0' } });
  const inject: SessionsTestApp['inject'] = async (method, url, body, headers = {}) => {
    const res = await app.inject({
      method, url, headers: { ...bearer(), ...headers },
      ...(body === undefined ? {} : typeof body === 'string' ? { payload: body } : { payload: body as object }),
    });
    let json: unknown;
    try { json = res.json(); } catch { json = undefined; }
    return { status: res.statusCode, json, raw: res.body };
  };
  return { app, stateDir, work, inject };
}

/** Removes temp folders after a test. */
export async function cleanup(...dirs: string[]): Promise<void> {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
}

/** The generic command driver running `/bin/cat`, so session routes have real sessions behind them. */
export const CAT = { command: { command: '/bin/cat', quietMs: 50 } };

/** Builds a test app that is closed, and its state directory removed, when the test ends. */
export async function testApp(t: { teardown(fn: () => unknown): void }, opts: TestAppOptions = {}): Promise<FastifyInstance> {
  const app = await buildTestApp(opts);
  t.teardown(async () => {
    await app.close();
    await rm(app.config.stateDir, { recursive: true, force: true });
  });
  return app;
}

/** Creates an API key through the API (as the master token unless `as` is given) and returns its id and key. */
export async function createKey(app: FastifyInstance, body: CreateKeyInput, as = TEST_TOKEN): Promise<{ id: string; key: string }> {
  const res = await app.inject({ method: 'POST', url: '/v1/auth/keys', headers: bearer(as), payload: body });
  if (res.statusCode !== 201) throw new Error(`key creation answered ${res.statusCode}: ${res.body}`);
  const { id, key } = res.json() as { id: string; key: string };
  return { id, key };
}
