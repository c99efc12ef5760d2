import { Type, type Static } from '@sinclair/typebox';

const Env = Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), Type.String(), {
  default: {},
  description: 'Extra environment for the agent process (from config, so trusted: may set HOME or ANTHROPIC_* )',
});

/** One ACP agent program: any command that speaks ACP on stdio. (Defaults do not reach into records, hence Optional.) */
export const AgentProgramSchema = Type.Object({
  command: Type.String({ minLength: 1, description: 'Program to run (a PATH name or an absolute path); no shell is involved' }),
  args: Type.Optional(Type.Array(Type.String(), { description: 'Arguments of `command`' })),
  env: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), Type.String(), { description: 'Extra environment for this program' })),
}, { additionalProperties: false });

/** The `plugins.acp` options block. */
export const optionsSchema = Type.Object({
  command: Type.Optional(Type.String({ minLength: 1, description: 'Default program of the `acp` agent' })),
  args: Type.Array(Type.String(), { default: [], description: 'Arguments of `command`' }),
  agents: Type.Record(Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$' }), AgentProgramSchema, {
    default: {},
    description: 'Named ACP programs a session picks with `agentOptions: { agent: name }` (agent `acp`)',
  }),
  env: Env,
  requestTimeoutMs: Type.Integer({ minimum: 10, default: 30000, description: 'Longest wait for any JSON-RPC answer but a prompt (initialize, session/new, load, resume)' }),
  promptTimeoutMs: Type.Integer({ minimum: 10, default: 3600000, description: 'Longest one prompt turn may run before it is cancelled and the session reports `error`' }),
  exitDrainMs: Type.Integer({ minimum: 0, default: 200, description: 'After the agent exits, how long its last output may still arrive before pending requests fail' }),
  maxLineBytes: Type.Integer({ minimum: 1024, default: 16 * 1048576, description: 'Longest JSON-RPC line accepted from an agent; longer ones are dropped and counted as malformed' }),
  fs: Type.Boolean({ default: true, description: 'Serve fs/read_text_file and fs/write_text_file inside the workDir' }),
  terminal: Type.Boolean({ default: true, description: 'Serve terminal/* (commands run inside the workDir)' }),
  terminalOutputBytes: Type.Integer({ minimum: 1024, default: 1048576, description: 'Most output kept per terminal when the agent sets no outputByteLimit' }),
  terminalOutputMaxBytes: Type.Integer({ minimum: 1024, default: 16 * 1048576, description: 'Most output kept per terminal whatever outputByteLimit the agent asks for' }),
  maxTerminals: Type.Integer({ minimum: 1, default: 16, description: 'Terminals one session may hold at once; more are refused with a JSON-RPC error' }),
  maxPendingPermissions: Type.Integer({ minimum: 1, default: 16, description: 'Permission requests one session may hold unanswered; more are refused' }),
  maxReadBytes: Type.Integer({ minimum: 1024, default: 10 * 1048576, description: 'Most bytes one fs/read_text_file returns (bigger files by line range)' }),
  maxWriteBytes: Type.Integer({ minimum: 1024, default: 10 * 1048576, description: 'Most bytes one fs/write_text_file writes' }),
  stdinBacklogBytes: Type.Integer({ minimum: 65536, default: 16 * 1048576, description: 'Bytes waiting for an agent that stopped reading its input before it is cut off' }),
  claude: Type.Object({
    enabled: Type.Boolean({ default: true, description: 'Register the `claude-acp` agent' }),
    executable: Type.Optional(Type.String({ minLength: 1, description: 'Claude Code CLI the agent runs (CLAUDE_CODE_EXECUTABLE); default: the one bundled with the Claude Agent SDK' })),
    args: Type.Array(Type.String(), { default: [], description: 'Extra arguments of claude-agent-acp' }),
  }, { additionalProperties: false, default: {} }),
}, { additionalProperties: false });

/** Validated `plugins.acp` options. */
export type AcpOptions = Static<typeof optionsSchema>;
/** One configured ACP program. */
export type AgentProgram = Static<typeof AgentProgramSchema>;
