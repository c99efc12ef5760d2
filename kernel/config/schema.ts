import { Type, type Static } from '@sinclair/typebox';
import { LOG_FORMATS, LOG_LEVELS } from './env.js';

const Ms = (def: number, description: string) => Type.Integer({ minimum: 0, default: def, description });

/** Where and how the HTTP server listens and shuts down. */
export const ServerSchema = Type.Object({
  host: Type.Optional(Type.String({ minLength: 1, description: 'Bind address; unset = 127.0.0.1, or 0.0.0.0 inside Docker' })),
  port: Type.Integer({ minimum: 0, maximum: 65535, default: 9100, description: 'HTTP port (AEGIS_PORT)' }),
  authToken: Type.Optional(Type.String({ minLength: 16, description: 'Master bearer token (AEGIS_AUTH_TOKEN)' })),
  shutdownGraceMs: Ms(15000, 'Drain time for in-flight requests on SIGTERM/SIGINT (AEGIS_SHUTDOWN_GRACE_MS)'),
  shutdownHardMs: Ms(20000, 'Hard cap on the whole shutdown; exit 1 past it (AEGIS_SHUTDOWN_HARD_MS)'),
  bodyLimit: Type.Integer({ minimum: 1024, default: 1048576, description: 'Largest accepted request body in bytes' }),
  trustProxy: Type.Union([
    Type.Boolean(),
    Type.Integer({ minimum: 1, description: 'Trust this many proxy hops' }),
    Type.Array(Type.String({ minLength: 1 }), { description: 'Trust these proxy addresses or CIDR ranges' }),
  ], {
    default: false,
    description: 'Behind a reverse proxy: take the client address from X-Forwarded-For sent by these proxies, so per-address limits and the audit name the real client. Prefer the proxy addresses over true, which believes any caller',
  }),
}, { additionalProperties: false, default: {} });

/** One tenant's workdir restriction, exactly as the deployment guide shows it. */
export const TenantWorkdirSchema = Type.Object({
  root: Type.String({ minLength: 1 }),
  allowedPaths: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
}, { additionalProperties: false });

/** A plugin's entry in `plugins:`: `false` = off, `true` or an options object = on. */
export const PluginEntrySchema = Type.Union([Type.Boolean(), Type.Record(Type.String(), Type.Unknown())]);

/**
 * The whole validated configuration (`app.config`): what the kernel itself needs. Plugins keep
 * their options in their own `plugins.<name>` block and declare their variables (`envOptions`).
 */
export const ConfigSchema = Type.Object({
  version: Type.Literal(1, { default: 1 }),
  server: ServerSchema,
  stateDir: Type.String({ minLength: 1, default: '~/.aegis', description: 'State directory (AEGIS_STATE_DIR)' }),
  logLevel: Type.Union(LOG_LEVELS.map((l) => Type.Literal(l)), { default: 'info', description: 'Log level of the root logger (AEGIS_LOG_LEVEL)' }),
  logFormat: Type.Union(LOG_FORMATS.map((f) => Type.Literal(f)), {
    default: 'auto', description: 'Log output: json lines, pretty one-line text, or auto = pretty when stdout is a terminal (AEGIS_LOG_FORMAT)',
  }),
  tenantWorkdirs: Type.Record(Type.String({ minLength: 1 }), TenantWorkdirSchema, { default: {} }),
  plugins: Type.Record(Type.String({ minLength: 1 }), PluginEntrySchema, { default: {} }),
}, { additionalProperties: false });

export type AegisConfig = Static<typeof ConfigSchema> & {
  /** Resolved at load: the bind address after Docker detection and overrides. */
  server: Static<typeof ServerSchema> & { host: string };
  /** Directory of the config file that was loaded (plugin paths resolve from it), else cwd. */
  baseDir: string;
  /** The home directory `~` stands for in configured paths. */
  homeDir: string;
  /** Path of the config file that was loaded, if any. */
  source?: string;
};
