import type { TSchema } from '@sinclair/typebox';
import { BootError } from '../errors.js';

type Kind = 'string' | 'int' | 'number' | 'bool' | 'level' | 'format';

/** The environment as read at boot; only kernel/config takes it from `process.env`. */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Variables plugins declare for their options: variable name -> dot path inside the plugin's
 * options block (`{ AEGIS_SSE_IDLE_MS: 'idleMs' }`). Values are coerced per the option schema and
 * beat the file.
 */
export type EnvOptions = Readonly<Record<string, string>>;

/** pino's levels; anything else stops the boot instead of throwing inside the logger. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** How logs are written (AEGIS_LOG_FORMAT): auto = pretty on a terminal, JSON lines otherwise. */
export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;

/** The kernel's own variables and where each lands in the config. Plugins declare theirs. */
export const ENV_MAP: ReadonlyArray<readonly [name: string, path: string, kind: Kind]> = [
  ['AEGIS_PORT', 'server.port', 'int'],
  ['AEGIS_HOST', 'server.host', 'string'],
  ['AEGIS_AUTH_TOKEN', 'server.authToken', 'string'],
  ['AEGIS_SHUTDOWN_GRACE_MS', 'server.shutdownGraceMs', 'int'],
  ['AEGIS_SHUTDOWN_HARD_MS', 'server.shutdownHardMs', 'int'],
  ['AEGIS_STATE_DIR', 'stateDir', 'string'],
  ['AEGIS_LOG_LEVEL', 'logLevel', 'level'],
  ['AEGIS_LOG_FORMAT', 'logFormat', 'format'],
];

function invalid(name: string, raw: string, expected: string): BootError {
  return new BootError('AEGIS_ERR_CONFIG_INVALID', `config: ${name}=${JSON.stringify(raw)} is invalid: expected ${expected}`);
}

function parse(name: string, raw: string, kind: Kind): unknown {
  const v = raw.trim();
  switch (kind) {
    case 'string':
      return raw;
    case 'int':
      if (!/^\d+$/.test(v)) throw invalid(name, raw, 'a non-negative integer');
      return Number(v);
    case 'number': {
      const n = Number(v);
      if (v === '' || !Number.isFinite(n)) throw invalid(name, raw, 'a number');
      return n;
    }
    case 'bool':
      if (/^(1|true|yes|on)$/i.test(v)) return true;
      if (/^(0|false|no|off)$/i.test(v)) return false;
      throw invalid(name, raw, 'true or false');
    case 'level':
      if ((LOG_LEVELS as readonly string[]).includes(v)) return v;
      throw invalid(name, raw, `one of ${LOG_LEVELS.join(', ')}`);
    case 'format':
      if ((LOG_FORMATS as readonly string[]).includes(v)) return v;
      throw invalid(name, raw, `one of ${LOG_FORMATS.join(', ')}`);
  }
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const k of keys.slice(0, -1)) {
    const next = node[k];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[k] = {};
    node = node[k] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]] = value;
}

/** The value of a variable, or undefined when unset or empty (empty counts as unset). */
function read(env: Env, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw === '' ? undefined : raw;
}

/** Overlays the kernel's variables on the file's config (env wins). */
export function overlayEnv(config: Record<string, unknown>, env: Env): Record<string, unknown> {
  for (const [name, path, kind] of ENV_MAP) {
    const raw = read(env, name);
    if (raw !== undefined) setPath(config, path, parse(name, raw, kind));
  }
  return config;
}

/** The schema of the option at `path`, following object properties. */
function schemaAt(schema: TSchema, path: string): TSchema | undefined {
  let node: TSchema | undefined = schema;
  for (const k of path.split('.')) node = (node?.properties as Record<string, TSchema> | undefined)?.[k];
  return node;
}

function kindOf(schema: TSchema): Kind {
  switch (schema.type) {
    case 'integer': return 'int';
    case 'number': return 'number';
    case 'boolean': return 'bool';
    default: return 'string';
  }
}

/**
 * Overlays a plugin's declared variables on its options block (env wins), each coerced per the
 * option's schema. A variable mapped to an option the schema does not have is the plugin's bug
 * and stops the boot naming both.
 */
export function overlayPluginEnv(
  key: string, options: Record<string, unknown>, envOptions: EnvOptions, schema: TSchema | undefined, env: Env,
): Record<string, unknown> {
  const out = structuredClone(options);
  for (const [name, path] of Object.entries(envOptions)) {
    const target = schema ? schemaAt(schema, path) : undefined;
    if (schema && !target) {
      throw new BootError('AEGIS_ERR_PLUGIN_OPTIONS_INVALID', `plugin ${key} maps ${name} to plugins.${key}.${path}, which its options schema lacks`);
    }
    const raw = read(env, name);
    if (raw !== undefined) setPath(out, path, parse(name, raw, target ? kindOf(target) : 'string'));
  }
  return out;
}

/** A plugin's on/off variable: true or false when set, undefined when unset. */
export function enableSwitch(name: string, env: Env): boolean | undefined {
  const raw = read(env, name);
  return raw === undefined ? undefined : (parse(name, raw, 'bool') as boolean);
}
