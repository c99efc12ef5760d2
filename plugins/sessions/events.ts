import type { PendingPermission, PendingQuestion, PermissionMode, SessionState } from './types.js';

/** Fields every session event carries, so SSE, audit and channels can filter by tenant. */
export interface SessionEventBase {
  sessionId: string;
  tenantId?: string;
  /** ISO time the change was seen. */
  at: string;
}

declare module '../../kernel/events.js' {
  interface AegisEvents {
    'session.created': SessionEventBase & {
      agent: string; workDir: string; name?: string; ownerId: string;
      /** The permission mode asked for, and the names (never the values) of the request's env (always set by sessions). */
      permissionMode?: PermissionMode; envNames?: string[];
      /** The OS user the agent runs as, when not the server's. */
      agentUser?: string;
    };
    'session.state-changed': SessionEventBase & { from: SessionState; to: SessionState; cause: string };
    'session.message-sent': SessionEventBase & { delivered: boolean; attempts: number; actorId?: string };
    'session.exited': SessionEventBase & { exitCode: number | null; signal: string | null; reason?: string };
    'session.killed': SessionEventBase & { actorId?: string };
    /** A create matched an idle session of the same owner, agent and workDir and returned it. */
    'session.reused': SessionEventBase & { actorId?: string; prompted: boolean };
    /** Ctrl-C (`interrupt`) or Escape was sent to the agent. */
    'session.interrupted': SessionEventBase & { key: 'interrupt' | 'escape'; actorId?: string };
    /** A principal read a session's transcript (reads of what an agent saw and said are audited). */
    'session.transcript-read': SessionEventBase & { actorId?: string };
    /**
     * A lookup of an existing session answered 404 because the principal may not see it (another
     * tenant's): to the caller it looks unknown, to the audit it is a denied lookup.
     */
    'session.lookup-hidden': { sessionId: string; principalId: string; tenantId?: string; action: string; at: string };
    /** An ended session older than `retainExited` was removed from disk (`endedAt`: when it ended). */
    'session.purged': SessionEventBase & { endedAt: string };
    /** The agent did not start (it exited, timed out, or could not be spawned); `code` is the error's. */
    'session.start-failed': SessionEventBase & { code: string; reason: string };
    'session.restored': SessionEventBase & { resumed: boolean };
    'permission.requested': SessionEventBase & { permission: PendingPermission };
    'permission.resolved': SessionEventBase & { decision: 'approved' | 'rejected'; option?: number; actorId?: string };
    'question.asked': SessionEventBase & { question: PendingQuestion };
    'question.answered': SessionEventBase & { option?: number; text?: string; actorId?: string };
    /**
     * A hook call refused before its body was read: no secret, a wrong one (or an unknown
     * session, which looks the same), or an address over its failure limit (`throttled`, sent
     * once as the limit is crossed, with the count). `sessionId` is the id the caller claimed.
     */
    'hook.rejected': { ip: string; sessionId: string; reason: 'missing' | 'invalid' | 'throttled'; failures: number; at: string };
  }
}
