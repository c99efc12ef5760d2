import { Type, type Static } from '@sinclair/typebox';

/** The `plugins.sessions` options block. */
export const optionsSchema = Type.Object({
  maxSessions: Type.Integer({ minimum: 1, default: 100, description: 'Most sessions alive at once; more are refused with 429' }),
  killGraceMs: Type.Integer({ minimum: 0, default: 3000, description: 'Wait between SIGTERM and SIGKILL of a session process group' }),
  restoreListenWaitMs: Type.Integer({ minimum: 0, default: 1000, description: 'After a restart, how long resuming sessions waits for the server to listen (hook URLs need its port)' }),
  sendTimeoutMs: Type.Integer({ minimum: 100, default: 15000, description: 'Longest a driver may take to deliver a message' }),
  cols: Type.Integer({ minimum: 20, maximum: 1000, default: 120, description: 'PTY width' }),
  rows: Type.Integer({ minimum: 5, maximum: 500, default: 40, description: 'PTY height' }),
  scrollback: Type.Integer({ minimum: 0, default: 1000, description: 'Lines the headless terminal keeps above the screen' }),
  lazySaveMs: Type.Integer({ minimum: 1, maximum: 60_000, default: 1000, description: 'Longest a session record change that no restart depends on (a move between live states, message counters) waits for the next write' }),
  renderIntervalMs: Type.Integer({ minimum: 1, maximum: 1000, default: 12, description: 'Repaints reach drivers at most this often' }),
  reuseIdle: Type.Boolean({ default: true, description: 'A create that matches an idle session of the same owner, agent and workDir returns it' }),
  envDenylist: Type.Array(Type.String({ minLength: 1 }), {
    default: [],
    description: 'Extra env names sessions may not set: exact names, `PREFIX_*` or `*_SUFFIX`',
  }),
  requestEnv: Type.Array(Type.String({ minLength: 1 }), {
    default: [],
    description: 'Env names a create request may set (`NAME`, `PREFIX_*`, `*_SUFFIX`); none by default. Loader, proxy, TLS, git, Claude and credential names stay refused even when listed',
  }),
  agentUser: Type.Optional(Type.String({
    minLength: 1, pattern: '^([a-z_][a-z0-9_.-]*[$]?|[0-9]+:[0-9]+)$',
    description: 'OS user every agent runs as (a user name or `uid:gid`); tenancy.agentUsers overrides it per tenant. Needs root (or CAP_SETUID/CAP_SETGID) and setpriv',
  })),
  agentRuntimeDir: Type.Optional(Type.String({
    minLength: 1,
    description: 'Where per-session folders the agent user can read are made (hook settings, its secret); default `<tmpdir>/aegis-agents-<server uid>`',
  })),
  agentEnv: Type.Object({
    pass: Type.Array(Type.String({ minLength: 1 }), {
      default: [],
      description: 'Server env names (`NAME` or `PREFIX_*`) passed on to agents besides PATH, LANG, LC_*, TERM, TZ, TMPDIR and what the driver needs',
    }),
  }, { default: {}, additionalProperties: false }),
  recordingMaxBytes: Type.Integer({
    minimum: 0, default: 8 * 1048576,
    description: 'Size at which a session\'s asciicast recording is rotated (one older generation kept); 0 turns recording off',
  }),
  hookBodyLimit: Type.Integer({ minimum: 1024, default: 8 * 1048576, description: 'Largest hook payload in bytes (tool output can be big)' }),
  retainExited: Type.Optional(Type.Union([
    Type.Integer({ minimum: 60000 }),
    Type.String({ pattern: '^\\d+\\s*(ms|s|m|h|d)$' }),
  ], { description: 'Remove ended sessions (record, transcript, recordings) this long after they ended: ms or 30m / 12h / 7d. Unset keeps them forever; the audit trail keeps its records either way' })),
  hookFailures: Type.Object({
    max: Type.Integer({ minimum: 1, default: 20, description: 'Refused hook calls an address may make per window before it gets 429' }),
    windowMs: Type.Integer({ minimum: 1000, default: 60000 }),
  }, { default: {}, description: 'Throttle for hook calls with a missing or wrong secret' }),
}, { additionalProperties: false });

/** Validated sessions options. */
export type SessionsOptions = Static<typeof optionsSchema>;
