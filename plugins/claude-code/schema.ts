import { Type, type Static } from '@sinclair/typebox';

/** The `plugins.claude-code` options block. */
export const optionsSchema = Type.Object({
  command: Type.Optional(Type.String({
    minLength: 1,
    description: 'The Claude Code executable: a PATH name or a path. Default: `claude` on PATH, else the one installed with Aegis. Resolved to an absolute real path at each start and run directly (no shell)',
  })),
  args: Type.Array(Type.String(), { default: [], description: 'Extra CLI arguments, after the ones Aegis sets' }),
  env: Type.Record(Type.String(), Type.String(), {
    default: {},
    description: 'Environment added for every Claude Code session (over the server environment, under the session env)',
  }),
  startupTimeoutMs: Type.Integer({ minimum: 1000, default: 60000, description: 'Longest wait for the CLI to show its input box or a start-up dialog' }),
  sendTimeoutMs: Type.Integer({
    minimum: 500, default: 12000,
    description: 'Longest a message delivery may take, waiting included; keep it under plugins.sessions.sendTimeoutMs',
  }),
  settleMs: Type.Integer({
    minimum: 0, default: 1200,
    description: 'How long a screen that contradicts the hooks must hold before it is believed (a stale frame after Stop, a gap between tools)',
  }),
  sandbox: Type.Object({
    enabled: Type.Boolean({ default: false, description: "Claude Code's own Bash sandbox (bubblewrap and socat on Linux) for every session" }),
    tenants: Type.Record(Type.String({ pattern: '^[A-Za-z0-9._-]+$' }), Type.Boolean(), {
      default: {}, description: 'Per tenant, over `enabled`: `{ <tenant>: true | false }`',
    }),
  }, { default: {}, additionalProperties: false, description: 'A second layer inside the agent user: Bash commands may write only the workDir and reach the network through the CLI\'s proxy. Fails closed: the CLI refuses Bash when the sandbox cannot start' }),
  dataDir: Type.String({
    minLength: 1, default: '~/.claude',
    description: 'Claude Code data directory (CLAUDE_DATA_DIR): where the CLI keeps transcripts when the agent runs with the server\'s HOME. `~` and relative paths resolve like stateDir',
  }),
  hooks: Type.Boolean({ default: true, description: 'Give the CLI HTTP hooks back to Aegis (state, delivery proof, tool counts); the screen alone is used when off' }),
}, { additionalProperties: false });

/** Validated `plugins.claude-code` options. */
export type ClaudeCodeOptions = Static<typeof optionsSchema>;

/** The deployment guide's variables this plugin owns, read into its options by the kernel. */
export const envOptions = { CLAUDE_DATA_DIR: 'dataDir' } as const;
