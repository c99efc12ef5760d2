import { Type, type Static } from '@sinclair/typebox';

const Ms = (def: number, description: string) => Type.Integer({ minimum: 0, default: def, description });

/** Where and how the HTTP server listens and shuts down. */
export const ServerSchema = Type.Object({
  host: Type.Optional(Type.String({ minLength: 1, description: 'Bind address; unset = 127.0.0.1, or 0.0.0.0 inside Docker' })),
  port: Type.Integer({ minimum: 0, maximum: 65535, default: 9100, description: 'HTTP port (AEGIS_PORT)' }),
  authToken: Type.Optional(Type.String({ minLength: 16, description: 'Master bearer token (AEGIS_AUTH_TOKEN)' })),
  dashboardUrl: Type.String({ default: 'http://localhost:9100/dashboard', description: 'Public dashboard URL (AEGIS_DASHBOARD_URL)' }),
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

/** The whole validated configuration (`app.config`). */
export const ConfigSchema = Type.Object({
  version: Type.Literal(1, { default: 1 }),
  server: ServerSchema,
  stateDir: Type.String({ minLength: 1, default: '~/.aegis', description: 'State directory (AEGIS_STATE_DIR)' }),
  claudeDataDir: Type.String({ minLength: 1, default: '~/.claude', description: 'Claude Code data directory (CLAUDE_DATA_DIR)' }),
  sse: Type.Object({
    idleMs: Ms(120000, 'Heartbeat after this much write-idle time (AEGIS_SSE_IDLE_MS)'),
    clientTimeoutMs: Ms(300000, 'Drop a stream after this long without events (AEGIS_SSE_CLIENT_TIMEOUT_MS)'),
  }, { additionalProperties: false, default: {} }),
  hooks: Type.Object({
    timeoutMs: Ms(10000, 'Outgoing webhook / hook fetch timeout (AEGIS_HOOK_TIMEOUT_MS)'),
  }, { additionalProperties: false, default: {} }),
  otel: Type.Object({
    enabled: Type.Boolean({ default: false }),
    endpoint: Type.String({ default: 'http://localhost:4318' }),
    serviceName: Type.String({ default: 'aegis' }),
    sampleRate: Type.Number({ minimum: 0, maximum: 1, default: 1 }),
  }, { additionalProperties: false, default: {} }),
  tenantWorkdirs: Type.Record(Type.String({ minLength: 1 }), TenantWorkdirSchema, { default: {} }),
  plugins: Type.Record(Type.String({ minLength: 1 }), PluginEntrySchema, { default: {} }),
}, { additionalProperties: false });

export type AegisConfig = Static<typeof ConfigSchema> & {
  /** Resolved at load: the bind address after Docker detection and overrides. */
  server: Static<typeof ServerSchema> & { host: string };
  /** Directory of the config file that was loaded (plugin paths resolve from it), else cwd. */
  baseDir: string;
  /** Path of the config file that was loaded, if any. */
  source?: string;
};
