import type { Principal } from '../auth/index.js';
import type { AgentDriver, Answer, SendResult } from './driver.js';
import type { AgentIdentity } from './agent-user.js';
import type {
  PendingPermission, PendingQuestion, PermissionMode, ScreenSnapshot, SessionOwner, SessionRecord, SessionState,
  TokenUsage, TranscriptEntry,
} from './types.js';

/** What `POST /v1/sessions` (and `app.sessions.create`) takes. */
export interface CreateSessionInput {
  /** Absolute path of an existing directory. */
  workDir: string;
  name?: string;
  /** First message, delivered once the agent runs (or to the reused session). */
  prompt?: string;
  permissionMode?: PermissionMode;
  env?: Record<string, string>;
  /** Driver name; `claude-code` when absent. */
  agent?: string;
  /** The agent's own conversation id to continue (becomes `record.agentSessionId`). */
  resumeSessionId?: string;
  /** `false` always starts a new session, even when an idle one matches. */
  reuse?: boolean;
  /** Driver-specific options, checked by `driver.validateOptions`. */
  agentOptions?: Record<string, unknown>;
}

/** A session as the API shows it: the record without secrets or driver internals, plus live state. */
export interface SessionView extends Pick<SessionRecord,
  'id' | 'name' | 'agent' | 'workDir' | 'permissionMode' | 'owner' | 'status' | 'createdAt' | 'updatedAt'
  | 'lastActivityAt' | 'agentSessionId' | 'pid' | 'exitCode' | 'exitSignal' | 'reason' | 'restarts'> {
  /** What caused the current state. */
  stateCause: string;
  /** Names of the extra env variables (values are not shown). */
  envNames: string[];
  pendingPermission?: PendingPermission;
  pendingQuestion?: PendingQuestion;
}

/** Filter and page of `list`. */
export interface ListFilter {
  status?: SessionState;
  agent?: string;
  limit?: number;
  offset?: number;
  /** Opaque cursor from a previous page's `nextCursor`; wins over `offset`. */
  cursor?: string;
  /** Only sessions this principal may read (access policies); omitted = all. */
  principal?: Principal | null;
}

export interface ListPage {
  sessions: SessionView[];
  total: number;
  limit: number;
  offset: number;
  nextCursor?: string;
}

/** Per-session metrics. Durations in milliseconds. */
export interface SessionMetrics {
  sessionId: string;
  status: SessionState;
  ageMs: number;
  timeInState: Partial<Record<SessionState, number>>;
  stateChanges: number;
  messagesSent: number;
  messagesFailed: number;
  toolCalls: { total: number; byName: Record<string, number> };
  approvals: number;
  rejections: number;
  answers: number;
  interrupts: number;
  restarts: number;
  usage: TokenUsage;
  /** The driver's own counters (`driver.metrics`), when it has any. */
  driver?: Record<string, number>;
}

/** What a create guard sees. Extra fields may be added; the four named in the seam stay. */
export interface CreateGuardInput {
  workDir: string;
  agent: string;
  env: Record<string, string>;
  principal: Principal | null;
  /**
   * `create` for a new conversation, `resume` when `resumeSessionId` continues one, `restore`
   * when a session is brought back after a server restart (its owner stands in as `principal`,
   * so rules checked at create are checked again against today's filesystem).
   */
  origin?: 'create' | 'resume' | 'restore';
  /** The permission mode the agent would run in. */
  permissionMode: PermissionMode;
  /** Names of the request's env variables (already checked). */
  envNames: string[];
}

/**
 * A limit on live sessions, checked after reuse and counted exactly (creates in flight count):
 * sessions whose owner `counts` may be at most `max`; one more is refused with `refuse()`.
 */
export interface SessionQuota {
  /** Names the limit (e.g. `tenant:acme`, `key:k_123`). */
  limit: string;
  max: number;
  counts(owner: SessionOwner): boolean;
  /** The coded error (429) for a create over this limit. */
  refuse(): Error;
}

/** The quotas that apply to a create by `principal`. */
export type QuotaProvider = (principal: Principal | null) => SessionQuota[];

/** Picks the OS user a session's agent runs as (a name or `uid:gid`); undefined = no opinion. */
export type AgentUserResolver = (owner: SessionOwner) => string | undefined;

/** How agents are isolated, for health and boot checks. */
export interface IsolationStatus {
  /** The default agent user (`plugins.sessions.agentUser`), if any. */
  agentUser?: string;
  /** Per-owner agent users are configured (e.g. tenancy.agentUsers). */
  perOwnerUsers: boolean;
  /** The server runs as root. */
  serverIsRoot: boolean;
  /** Set when agents without an agent user run as root: what they can read. */
  warning?: string;
}

/** Runs before any session is created; throws a coded error (e.g. 403) to refuse. */
export type CreateGuard = (input: CreateGuardInput) => void | Promise<void>;

/** `read` for GETs, `act` for everything that changes a session. */
export type AccessAction = 'read' | 'act';
/** `hide` answers 404 as for an unknown id, `deny` 403, `undefined` = no opinion. */
export type AccessDecision = 'allow' | 'hide' | 'deny' | undefined;
export type AccessPolicy = (principal: Principal | null, record: SessionRecord, action: AccessAction) => AccessDecision;

/** Paged transcript, by offset. */
export interface TranscriptPage { entries: TranscriptEntry[]; total: number; limit: number; offset: number }
/** Paged transcript, newest first by cursor: `entries` are in order, `before` pages further back. */
export interface TranscriptCursorPage { entries: TranscriptEntry[]; hasMore: boolean; before?: string }

/** `app.sessions`: the registry, the runtime's actions and the seams other plugins extend. */
export interface SessionsService {
  /** Registers an agent driver under `driver.name`. */
  addAgent(driver: AgentDriver): void;
  /** Resolves once the sessions alive before a restart have been brought back (or marked exited). */
  whenRestored(): Promise<void>;
  /** Registered drivers. */
  agents(): AgentDriver[];
  /** Adds a guard run before every create (POST and resume). */
  addCreateGuard(guard: CreateGuard): void;
  /** Adds an access policy consulted for every session route and list. Hide beats deny beats allow. */
  addAccessPolicy(policy: AccessPolicy): void;
  /** Adds live-session limits checked at each create (after reuse); over one, its `refuse()` error. */
  addQuota(provider: QuotaProvider): void;
  /** Adds a resolver of the OS user a session's agent runs as; the first opinion wins, else `agentUser`. */
  addAgentUser(resolver: AgentUserResolver): void;
  /**
   * Resolves and checks an agent user spec (exists, not root, the server may switch to it, setpriv
   * is there). Throws with one line saying what is wrong; plugins call it at boot for their config.
   */
  checkAgentUser(spec: string): AgentIdentity;
  /** Whether agents run as their own users, and the warning when they run as root. */
  isolation(): IsolationStatus;
  /** Combined decision of all policies (default allow). */
  access(principal: Principal | null, record: SessionRecord, action: AccessAction): 'allow' | 'hide' | 'deny';
  /** The record if `principal` may do `action` on it; else throws SESSION_NOT_FOUND (hide) or SESSION_FORBIDDEN (deny). */
  authorize(principal: Principal | null, id: string, action: AccessAction): SessionRecord;
  create(input: CreateSessionInput, principal: Principal | null): Promise<{ session: SessionView; reused: boolean }>;
  /** The session view, or undefined for an unknown id (no access check). */
  get(id: string): SessionView | undefined;
  /** The raw record (read-only), or undefined. */
  record(id: string): Readonly<SessionRecord> | undefined;
  list(filter?: ListFilter): ListPage;
  send(id: string, text: string, actor?: Principal | null): Promise<SendResult>;
  approve(id: string, option?: number, actor?: Principal | null): Promise<void>;
  reject(id: string, actor?: Principal | null): Promise<void>;
  answer(id: string, answer: Answer, actor?: Principal | null): Promise<void>;
  interrupt(id: string): Promise<void>;
  escape(id: string): Promise<void>;
  /**
   * Ends the session: marks it `ending` at once, then stops its process groups (driver `stop`,
   * SIGTERM, SIGKILL after the grace) and marks it `exited` once they are gone. By default resolves
   * with the exited view; `wait: false` resolves as soon as `ending` is persisted. Idempotent.
   */
  kill(id: string, actor?: Principal | null, opts?: { wait?: boolean }): Promise<SessionView>;
  /** Writes raw input to the session's PTY (the WebSocket terminal). */
  write(id: string, data: string): void;
  pane(id: string): ScreenSnapshot;
  /** Resizes the session's PTY (the WebSocket terminal). Throws SESSION_NO_PROCESS when none runs. */
  resize(id: string, cols: number, rows: number): void;
  /** The screen as escape sequences that redraw it, for a terminal that joins late. */
  serializeScreen(id: string): string;
  /** Subscribes to the session's raw PTY output; returns the unsubscribe function. */
  onOutput(id: string, listener: (data: string) => void): () => void;
  /** The session's recording as one asciicast v2 document, or undefined when nothing was recorded. */
  recording(id: string): Promise<string | undefined>;
  transcript(id: string, page?: { limit?: number; offset?: number; role?: TranscriptEntry['role'] }): Promise<TranscriptPage>;
  transcriptBefore(id: string, page?: { beforeId?: string; limit?: number }): Promise<TranscriptCursorPage>;
  metrics(id: string): Promise<SessionMetrics>;
}
