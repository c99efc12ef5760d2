import type { AgentIdentity } from './agent-user.js';
import type {
  Logger, PendingPermission, PendingQuestion, PtySpec, ScreenSnapshot, SessionRecord, StateReport,
  TokenUsage, TranscriptEntry,
} from './types.js';

/** A PTY the runtime started for a driver. Its output feeds the headless terminal. */
export interface PtyHandle {
  readonly pid: number;
  write(data: string): void;
  resize(cols: number, rows: number): void;
}

/** A hook call the agent made back to Aegis (`POST /v1/hooks/:sessionId/:event`, secret checked). */
export interface HookEvent {
  event: string;
  body: Record<string, unknown>;
  at: number;
}

/**
 * What the sessions runtime gives a driver for one session. A driver never touches the registry,
 * the bus or the disk directly; it reports through this.
 */
export interface SessionContext {
  readonly record: Readonly<SessionRecord>;
  readonly log: Logger;
  /** A folder in the state directory for this session's files (settings, hook config). */
  readonly sessionDir: string;
  /** The OS user the agent runs as; undefined when it runs as the server's own user. */
  readonly agentUser: AgentIdentity | undefined;
  /**
   * A folder for the files the agent itself reads (hook settings, its hook secret): per session,
   * readable by the agent user and nobody else. The state directory never is.
   */
  readonly agentDir: string;
  /** Writes `agentDir/name` (0600, owned by the agent user) without following links; returns the path. */
  writeAgentFile(name: string, data: string): Promise<string>;
  /**
   * The agent's environment: from the server's, only PATH, LANG, LC_*, TERM, TZ, TMPDIR, the
   * names in `pass` (what this driver's agent needs, e.g. `ANTHROPIC_*`) and in
   * `plugins.sessions.agentEnv.pass`; HOME, USER, LOGNAME and SHELL of the agent user; then each
   * layer in order (later wins).
   */
  agentEnv(pass: readonly string[], ...layers: Array<Record<string, string> | undefined>): Record<string, string>;
  /**
   * The argv that starts `file args` as the agent user (unchanged without one), for drivers that
   * start their own processes. `spawnPty` applies it itself.
   */
  agentCommand(file: string, args: readonly string[]): { command: string; args: string[] };
  /** Absolute URL the agent's hooks post to, and the secret they must send in `X-Aegis-Hook-Secret`. */
  readonly hookUrl: string;
  readonly hookSecret: string;
  /**
   * Starts the agent in a PTY wired to the headless terminal; `onRender` follows each repaint.
   * Resolves once the process runs (its pid is in the record by then).
   */
  spawnPty(spec: PtySpec): Promise<PtyHandle>;
  /**
   * For drivers that run their own process (ACP): tells the runtime the pid to kill on delete and
   * that the process ended.
   */
  adoptProcess(pid: number): void;
  processExited(code: number | null, signal: string | null): void;
  /** How long the runtime waits between SIGTERM and SIGKILL (`plugins.sessions.killGraceMs`). */
  readonly killGraceMs: number;
  /**
   * Ends a process group the driver started (an adopted agent, a replaced one): SIGTERM, then
   * SIGKILL to what is left after `graceMs` (default `killGraceMs`); zombies count as gone.
   * `exited` resolves when the leader is reaped, so the wait ends as soon as it is.
   */
  terminateProcessGroup(pid: number, exited?: Promise<unknown>, graceMs?: number): Promise<void>;
  /**
   * Records another process group the session owns (a command the agent runs in a group of its
   * own), so it is ended with the session and reaped after a server crash; `released` forgets it.
   */
  trackGroup(pgid: number): void;
  releaseGroup(pgid: number): void;
  /** The current screen (PTY drivers). */
  screen(): ScreenSnapshot;
  /** Resolves after the next repaint, or after `timeoutMs` (false). */
  nextRender(timeoutMs: number): Promise<boolean>;
  /** Writes raw input to the PTY. */
  write(data: string): void;
  /** Reports the state; the runtime emits `session.state-changed` when it differs. */
  report(report: StateReport): void;
  /** Current reported state. */
  state(): StateReport;
  /** Persists driver-private fields and agent ids. */
  update(patch: Partial<Pick<SessionRecord, 'agentSessionId' | 'driver'>>): Promise<void>;
  /** Appends transcript entries for drivers that build their transcript themselves (ACP, command). */
  appendTranscript(entries: Array<Omit<TranscriptEntry, 'id' | 'index'> & { id?: string }>): void;
  /** Adds to the session's token usage. */
  addUsage(usage: Partial<TokenUsage>): void;
  /** Counts a tool call for metrics. */
  countToolCall(name: string): void;
}

/** Options of `send`. */
export interface SendResult {
  delivered: boolean;
  attempts: number;
}

/** An answer to a question: a numbered option or free text. */
export type Answer = { option: number } | { text: string };

/**
 * An agent driver: how to launch an agent, read its state, deliver messages and answer prompts.
 * Registered with `app.sessions.addAgent(driver)`.
 */
export interface AgentDriver {
  /** The `agent` value that selects this driver in `POST /v1/sessions`. */
  readonly name: string;
  /** Whether the agent keeps its own transcript and can resume a conversation after a restart. */
  readonly capabilities: { resume: boolean; transcript: boolean; permissions: boolean; questions: boolean };
  /** Starts (or, with `resume`, brings back) the agent for this session. */
  start(ctx: SessionContext, opts: { resume: boolean; prompt?: string }): Promise<void>;
  /** After every repaint of a PTY session's screen; must be cheap. */
  onRender?(ctx: SessionContext, screen: ScreenSnapshot): void;
  /** A hook call from the agent. */
  onHook?(ctx: SessionContext, hook: HookEvent): void;
  /** The agent process ended. */
  onExit?(ctx: SessionContext, code: number | null, signal: string | null): void;
  send(ctx: SessionContext, text: string): Promise<SendResult>;
  /** Picks the least-privilege "yes" (or the given option). */
  approve(ctx: SessionContext, option?: number): Promise<void>;
  reject(ctx: SessionContext): Promise<void>;
  answer(ctx: SessionContext, answer: Answer): Promise<void>;
  interrupt(ctx: SessionContext): Promise<void>;
  escape(ctx: SessionContext): Promise<void>;
  /** The transcript, read from the agent's own store, when the driver has one. */
  transcript?(ctx: SessionContext): Promise<TranscriptEntry[]>;
  /** Token usage from the agent's own store, when the driver has one. */
  usage?(ctx: SessionContext): Promise<TokenUsage | undefined>;
  /** Ends the agent (the runtime kills the process group after). */
  stop?(ctx: SessionContext): Promise<void>;
  /**
   * Driver-specific counters of this session (e.g. an ACP agent's malformed protocol lines), for
   * the session's metrics. Optional; must be cheap.
   */
  metrics?(ctx: SessionContext): Record<string, number>;
  /**
   * Checks the driver-specific `agentOptions` of a create request (`{}` when none were sent) and
   * returns the initial `record.driver` area. Throws a coded 4xx error to refuse. A driver without
   * it refuses any non-empty `agentOptions`.
   */
  validateOptions?(options: Record<string, unknown>): Record<string, unknown>;
  /** Whether `id` has the shape of this agent's own conversation ids (checked before it reaches argv or a path). */
  validResumeId?(id: string): boolean;
}

export type { PendingPermission, PendingQuestion };
