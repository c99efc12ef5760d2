import { Type, type Static, type TProperties, type TSchema } from '@sinclair/typebox';
import { PendingPermissionSchema, PendingQuestionSchema, RoleSchema, StateSchema } from './route-schemas.js';
import type { PermissionMode } from './types.js';

/** Fields every session event carries, so SSE, audit and channels can filter by tenant. */
const base = {
  sessionId: Type.String(),
  tenantId: Type.Optional(Type.String()),
  at: Type.String({ description: 'ISO time the change was seen' }),
};
const event = <P extends TProperties>(props: P, description: string) =>
  Type.Object({ ...base, ...props }, { description });

/** The fields of every session event. */
export const SessionEventBaseSchema = Type.Object(base);
export type SessionEventBase = Static<typeof SessionEventBaseSchema>;

const actorId = Type.Optional(Type.String({ description: 'Principal that did it' }));

/**
 * Payload schemas of the session events that describe what a session does, by event name; these
 * are the ones streamed. (Events that exist for the audit trail, below, are not.) Nothing in them is a secret: no env
 * values, no hook secret, no tokens (env names are not even listed), so any reader of the session
 * may see them.
 */
export const SessionEventSchemas = {
  'session.created': event({ agent: Type.String(), workDir: Type.String(), name: Type.Optional(Type.String()), ownerId: Type.String() },
    'A session was created'),
  'session.state-changed': event({ from: StateSchema, to: StateSchema, cause: Type.String() },
    'The session moved to another state; `cause` says what showed it'),
  'session.message-sent': event({
    delivered: Type.Boolean(), attempts: Type.Integer(), actorId,
    durationMs: Type.Optional(Type.Number({ description: 'How long the delivery took' })),
  },
    'A message was sent to the agent'),
  'session.message': event({
    index: Type.Integer({ description: 'Position in the transcript' }),
    entryId: Type.String(),
    role: RoleSchema,
    text: Type.String({ description: 'The entry text, cut at 4000 characters' }),
    truncated: Type.Optional(Type.Boolean()),
    toolName: Type.Optional(Type.String()),
  }, 'A new transcript entry: what the user, the agent or a tool said'),
  'session.exited': event({
    exitCode: Type.Union([Type.Integer(), Type.Null()]), signal: Type.Union([Type.String(), Type.Null()]), reason: Type.Optional(Type.String()),
  }, 'The session ended'),
  'session.killed': event({ actorId }, 'The session was killed through the API'),
  'session.reused': event({ actorId, prompted: Type.Boolean() },
    'A create matched an idle session of the same owner, agent and workDir and returned it'),
  'session.interrupted': event({ key: Type.Union([Type.Literal('interrupt'), Type.Literal('escape')]), actorId },
    'Ctrl-C (interrupt) or Escape was sent to the agent'),
  'session.start-failed': event({ code: Type.String(), reason: Type.String() },
    "The agent did not start (it exited, timed out, or could not be spawned); `code` is the error's"),
  'session.purged': event({ endedAt: Type.String({ description: 'When the session ended' }) },
    'An ended session older than retainExited was removed from disk'),
  'session.restored': event({ resumed: Type.Boolean() }, 'A session alive before a restart was brought back (or found gone)'),
  'permission.requested': event({ permission: PendingPermissionSchema }, 'The agent waits for a permission'),
  'permission.resolved': event({
    decision: Type.Union([Type.Literal('approved'), Type.Literal('rejected')]), option: Type.Optional(Type.Integer()), actorId,
  }, 'A pending permission was approved or rejected'),
  'question.asked': event({ question: PendingQuestionSchema }, 'The agent asks the user a question'),
  'question.answered': event({ option: Type.Optional(Type.Integer()), text: Type.Optional(Type.String()), actorId },
    'A pending question was answered'),
} satisfies Record<string, TSchema>;

type Payloads = { [K in keyof typeof SessionEventSchemas]: Static<(typeof SessionEventSchemas)[K]> };

declare module '../../kernel/events.js' {
  interface AegisEvents extends Payloads {
    /**
     * The audit trail also gets the permission mode asked for, the names (never the values) of the
     * request's env (always set by sessions), and the OS user the agent runs as when not the
     * server's. Streams do not: their schema above cleans these out.
     */
    'session.created': Payloads['session.created'] & { permissionMode?: PermissionMode; envNames?: string[]; agentUser?: string };
    /** A principal read a session's transcript (reads of what an agent saw and said are audited). */
    'session.transcript-read': SessionEventBase & { actorId?: string };
    /**
     * A lookup of an existing session answered 404 because the principal may not see it (another
     * tenant's): to the caller it looks unknown, to the audit it is a denied lookup.
     */
    'session.lookup-hidden': { sessionId: string; principalId: string; tenantId?: string; action: string; at: string };
    /**
     * A hook call refused before its body was read: no secret, a wrong one (or an unknown
     * session, which looks the same), or an address over its failure limit (`throttled`, sent
     * once as the limit is crossed, with the count). `sessionId` is the id the caller claimed.
     */
    'hook.rejected': { ip: string; sessionId: string; reason: 'missing' | 'invalid' | 'throttled'; failures: number; at: string };
  }
}
