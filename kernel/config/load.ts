import { cosmiconfig } from 'cosmiconfig';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { BootError } from '../errors.js';
import { overlayEnv, type Env } from './env.js';
import { expandPlaceholders } from './placeholders.js';
import { validateOrThrow } from './validate.js';
import { ConfigSchema, type AegisConfig } from './schema.js';
import { DEFAULT_PROBE, resolveHost, type DockerProbe } from './docker.js';

/** Where the config comes from; every field is injectable for tests. */
export interface LoadOptions {
  /** `--config <path>`: load exactly this file. Else AEGIS_CONFIG, else the search. */
  configPath?: string;
  cwd?: string;
  /** The environment; `process.env` when absent. Plugin resolution sees this same snapshot. */
  env?: Env;
  home?: string;
  dockerProbe?: DockerProbe;
}

/** The places searched in the working directory, in order. */
export const SEARCH_PLACES = [
  '.aegis/config.yaml', '.aegis/config.yml', '.aegis/config.json',
  'aegis.config.json', 'aegis.config.yaml', 'aegis.config.yml',
  '.aegisrc', '.aegisrc.json', '.aegisrc.yaml', '.aegisrc.yml',
  'package.json',
];

async function findFile(opts: Required<Pick<LoadOptions, 'cwd' | 'home'>> & LoadOptions) {
  const explorer = cosmiconfig('aegis', { searchPlaces: SEARCH_PLACES, packageProp: 'aegis', searchStrategy: 'none', cache: false });
  try {
    if (opts.configPath) {
      const file = resolve(opts.cwd, opts.configPath);
      if (!existsSync(file)) throw new BootError('AEGIS_ERR_CONFIG_NOT_FOUND', `config: --config ${opts.configPath}: no such file`);
      return await explorer.load(file);
    }
    const found = await explorer.search(opts.cwd);
    if (found) return found;
    const userFile = join(opts.home, '.aegis', 'config.yaml');
    return existsSync(userFile) ? await explorer.load(userFile) : null;
  } catch (err) {
    if (err instanceof BootError) throw err;
    const where = (err as { filepath?: string }).filepath ?? opts.configPath ?? 'config file';
    const reason = (err as Error).message.split('\n')[0];
    throw new BootError('AEGIS_ERR_CONFIG_PARSE', `config: ${where} could not be parsed: ${reason}`);
  }
}

function expandHome(p: string, home: string): string {
  return p === '~' ? home : p.startsWith('~/') ? join(home, p.slice(2)) : p;
}

/**
 * A configured path made absolute: `~` is the home directory of the load, and a relative path is
 * taken from the config file's folder. For plugins' path options, so they resolve like `stateDir`.
 */
export function resolveConfigPath(config: Pick<AegisConfig, 'baseDir' | 'homeDir'>, p: string): string {
  return resolve(config.baseDir, expandHome(p, config.homeDir));
}

/**
 * The server process's own environment, read now. For what agents inherit (sessions' agentEnv,
 * the PATH a command is looked up on); configuration goes through loadConfig instead.
 */
export function serverEnv(): Env {
  return process.env;
}

const snapshots = new WeakMap<AegisConfig, Env>();

/**
 * The environment a config was loaded with. Plugin resolution overlays plugins' declared
 * variables from it, so nothing outside kernel/config reads `process.env`. Empty for a config
 * not made by loadConfig.
 */
export function envOf(config: AegisConfig): Env {
  return snapshots.get(config) ?? {};
}

/** Finds, overlays, validates and resolves the configuration. Defaults < file < environment. */
export async function loadConfig(options: LoadOptions = {}): Promise<AegisConfig> {
  const cwd = options.cwd ?? process.cwd();
  const env: Env = { ...(options.env ?? process.env) };
  const home = options.home ?? homedir();
  const configPath = options.configPath ?? (env.AEGIS_CONFIG || undefined);
  const found = await findFile({ ...options, configPath, cwd, home });
  const raw = found && !found.isEmpty ? found.config : {};
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new BootError('AEGIS_ERR_CONFIG_INVALID', `config: ${found?.filepath}: expected a mapping at the top level`);
  }
  const expanded = expandPlaceholders(raw, env) as Record<string, unknown>;
  const merged = overlayEnv(expanded, env);
  const config = validateOrThrow<AegisConfig>(ConfigSchema, merged, '', 'AEGIS_ERR_CONFIG_INVALID');
  const baseDir = found ? dirname(found.filepath) : cwd;
  config.baseDir = baseDir;
  config.homeDir = home;
  config.stateDir = resolveConfigPath(config, config.stateDir);
  config.server.host = resolveHost(config.server.host, options.dockerProbe ?? DEFAULT_PROBE);
  if (found) config.source = found.filepath;
  snapshots.set(config, env);
  if (!isAbsolute(config.stateDir)) throw new BootError('AEGIS_ERR_CONFIG_INVALID', `config: stateDir=${config.stateDir} must resolve to an absolute path`);
  return config;
}
