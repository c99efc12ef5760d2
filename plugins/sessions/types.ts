import type { Logger } from 'pino';

/**
 * Every state a session can be in. `ending`: a kill was asked for and its process group is being
 * stopped (it still holds processes; it takes no actions and no driver reports); `exited` follows
 * once the group is gone.
 */
export const SESSION_STATES = [
  'starting', 'working', 'idle', 'permission_prompt', 'ask_question', 'plan_mode',
  'compacting', 'rate_limit', 'error', 'ending', 'exited',
] as const;
export type SessionState = (typeof SESSION_STATES)[number];

export const PERMISSION_MODES = ['default', 'acceptEdits', 'plan', 'bypassPermissions', 'dontAsk'] as const;
export type PermissionMode = (typeof PERMISSION_MODES)[number];

/**
 * What picking an option means: allow or reject this once or always; `mode_switch` also changes the
 * session's permission mode (e.g. "Yes, and switch to auto mode"), so it is never a plain approval;
 * `free_text` opens a field for typed feedback or an answer of one's own.
 */
export const OPTION_KINDS = ['allow_once', 'allow_always', 'reject_once', 'reject_always', 'mode_switch', 'free_text', 'other'] as const;

/** One choice the agent offers at a prompt, numbered as on its screen (or the agent's option id). */
export interface PromptOption {
  /** 1-based number to pick it with `approve {option}`/`answer {option}`. */
  number: number;
  label: string;
  description?: string;
  /** The agent's own id for the option (ACP option ids). */
  id?: string;
  /** What picking it means, when known (see OPTION_KINDS). */
  kind?: (typeof OPTION_KINDS)[number];
}

/** A permission the agent is waiting for (a tool call, the folder-trust dialog, a plan approval). */
export interface PendingPermission {
  kind: 'tool' | 'trust' | 'plan';
  /** Tool name (`Bash`, `Write`, ...), `trust` or `ExitPlanMode`. */
  tool: string;
  /** What it wants to do: the command, the file, the folder, the plan. */
  detail: string;
  options: PromptOption[];
}

/** A question the agent asks the user (its AskUserQuestion tool). */
export interface PendingQuestion {
  question: string;
  header?: string;
  options: PromptOption[];
  multiSelect?: boolean;
}

/** Who owns a session: the principal that created it and its tenant. */
export interface SessionOwner {
  principalId: string;
  tenantId?: string;
}

/** The persisted record of one session. Written atomically on every change that matters. */
export interface SessionRecord {
  id: string;
  name?: string;
  agent: string;
  workDir: string;
  permissionMode: PermissionMode;
  /** Extra environment for the agent (names already checked against the denylist). */
  env: Record<string, string>;
  owner: SessionOwner;
  status: SessionState;
  createdAt: string;
  updatedAt: string;
  lastActivityAt: string;
  /** The agent's own session id, for resume (Claude Code's `--session-id`/`--resume`). */
  agentSessionId?: string;
  pid?: number;
  exitCode?: number | null;
  exitSignal?: string | null;
  /** Why the session is in `error` or `exited`, in words. */
  reason?: string;
  /** How many times it has been brought back after a server restart. */
  restarts: number;
  /** Driver-private fields that must survive a restart. */
  driver: Record<string, unknown>;
  /** Pid of the Aegis server that ran the agent last; tells an orphan of a crashed server from our own child. */
  serverPid?: number;
  /** Start time of `pid` (Linux /proc clock ticks), so a reused pid is never mistaken for our orphan. */
  pidStartTime?: string;
  /**
   * Other process groups the session owns (an ACP agent's terminals), each with its leader's
   * start time: reaped when the session ends and, after a crash, when the next server starts.
   */
  groups?: Array<{ pgid: number; startTime?: string }>;
  /** Counters and durations, persisted so they survive restarts. */
  metrics?: PersistedMetrics;
}

/** The metrics counters kept in a session record. */
export interface PersistedMetrics {
  messagesSent: number;
  messagesFailed: number;
  toolCalls: Record<string, number>;
  approvals: number;
  rejections: number;
  answers: number;
  interrupts: number;
  stateChanges: number;
  /** Milliseconds spent in each state, not counting the current stretch. */
  timeInState: Partial<Record<SessionState, number>>;
  /** When the current state began (ISO). */
  stateSince: string;
  usage: TokenUsage;
}

/** One entry of a session's transcript, agent-independent. `id` is stable under appends. */
export interface TranscriptEntry {
  id: string;
  /** Position in the transcript (0-based), for cursors. */
  index: number;
  role: 'user' | 'assistant' | 'tool_use' | 'tool_result' | 'system';
  text: string;
  at?: string;
  toolName?: string;
  toolInput?: unknown;
}

/** Token usage the agent reported, summed over the session. */
export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheCreationTokens: number;
  costUsd?: number;
}

/** The rendered terminal screen. */
export interface ScreenSnapshot {
  /** Visible lines, right-trimmed, top to bottom. */
  lines: string[];
  cursor: { x: number; y: number };
  cols: number;
  rows: number;
}

/** How to start a process in a PTY. */
export interface PtySpec {
  command: string;
  args: string[];
  cwd: string;
  /** The full environment of the child (the runtime does not add to it). */
  env: Record<string, string>;
  cols?: number;
  rows?: number;
}

/** The state a driver reports, with what caused it and what it is waiting on. */
export interface StateReport {
  state: SessionState;
  /** What made the driver decide: `screen:permission-prompt`, `hook:Stop`, `transcript`, `exit` ... */
  cause: string;
  pendingPermission?: PendingPermission;
  pendingQuestion?: PendingQuestion;
}

export type { Logger };
