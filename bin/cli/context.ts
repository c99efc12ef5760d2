import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AegisConfig } from '../../kernel/index.js';
import { cliEnv } from './env.js';

/** Options every command that talks to a server accepts. */
export interface GlobalOptions {
  /** `--config <file>`: the config file to read host, port and state directory from. */
  config?: string;
  /** `--url <url>`: the server, over AEGIS_BASE_URL and the config. */
  url?: string;
  /** `--json`: machine output. */
  json?: boolean;
}

/** A usage or local problem, reported as one line with a code. */
export class CliError extends Error {
  constructor(readonly code: string, message: string, readonly exitCode = 1) {
    super(message);
  }
}

/** Exit codes shared by every command. */
export const EXIT = {
  ok: 0,
  /** The server refused (4xx/5xx), a check failed, or a local step failed. */
  failed: 1,
  /** Bad usage: unknown command, missing or invalid argument. */
  usage: 2,
  /** The server could not be reached. */
  unreachable: 3,
} as const;

/** Loads the config the server would load (same search, same env overlay). */
export async function loadCliConfig(configPath?: string): Promise<AegisConfig> {
  const { loadConfig } = await import('../../kernel/config/load.js');
  try {
    return await loadConfig({ configPath });
  } catch (err) {
    const e = err as { code?: string; message?: string };
    throw new CliError(e.code ?? 'AEGIS_ERR_CONFIG_INVALID', e.message?.split('\n')[0] ?? String(err));
  }
}

/** The loopback address a client uses for a server bound to all interfaces. */
export function clientHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** Where the master token file lives, as the auth plugin would place it. */
export function tokenFilePath(config: AegisConfig): string {
  const auth = config.plugins?.auth;
  const rel = auth && typeof auth === 'object' && typeof auth.tokenFile === 'string' ? auth.tokenFile : 'auth-token';
  return join(config.stateDir, rel);
}

/** The server's base URL and the bearer token the CLI uses. */
export interface Target {
  baseUrl: string;
  token?: string;
}

/**
 * Resolves the server and token: `--url`, else AEGIS_BASE_URL, else the config's host and port;
 * the token from AEGIS_AUTH_TOKEN, else the state directory's token file.
 */
export async function resolveTarget(opts: GlobalOptions, env: NodeJS.ProcessEnv = cliEnv()): Promise<Target> {
  const given = opts.url ?? env.AEGIS_BASE_URL;
  let config: AegisConfig | undefined;
  const needConfig = !given || !env.AEGIS_AUTH_TOKEN;
  if (needConfig) config = await loadCliConfig(opts.config);
  const baseUrl = (given ?? `http://${clientHost(config!.server.host)}:${config!.server.port}`).replace(/\/+$/, '');
  try {
    new URL(baseUrl);
  } catch {
    throw new CliError('AEGIS_ERR_CLI_BAD_URL', `not a URL: ${baseUrl}`, EXIT.usage);
  }
  let token = env.AEGIS_AUTH_TOKEN || undefined;
  if (!token && config) {
    try {
      token = (await readFile(tokenFilePath(config), 'utf8')).trim() || undefined;
    } catch {
      // No token file: the request goes without one and the server's 401 says so.
    }
  }
  return { baseUrl, token };
}
