import { Type, type TLiteral, type TUnion, type TUnsafe } from '@sinclair/typebox';
import { OPTION_KINDS, PERMISSION_MODES, SESSION_STATES } from './types.js';

/** A string enum as a union of literals, keeping the literal types for the handlers. */
function literals<T extends readonly string[]>(values: T): TUnion<TLiteral<T[number]>[]> {
  return Type.Union(values.map((v) => Type.Literal(v))) as TUnion<TLiteral<T[number]>[]>;
}

/**
 * A string enum for responses: one `{ type: 'string', enum }` schema rather than a union, so the
 * response serializer writes it as a plain string instead of compiling and running a validator to
 * pick a branch (the first compile alone held the event loop for ~100 ms).
 */
function enumString<T extends readonly string[]>(values: T): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values] });
}

/** `T | null` for responses, as a type list the serializer handles without a validator. */
function nullable<T>(type: 'integer' | 'string'): TUnsafe<T | null> {
  return Type.Unsafe<T | null>({ type: [type, 'null'] });
}

export const StateSchema = literals(SESSION_STATES);
export const PermissionModeSchema = literals(PERMISSION_MODES);
export const RoleSchema = literals(['user', 'assistant', 'tool_use', 'tool_result', 'system'] as const);

export const PromptOptionSchema = Type.Object({
  number: Type.Integer(), label: Type.String(), description: Type.Optional(Type.String()), id: Type.Optional(Type.String()),
  kind: Type.Optional(enumString(OPTION_KINDS)),
});

export const PendingPermissionSchema = Type.Object({
  kind: enumString(['tool', 'trust', 'plan'] as const), tool: Type.String(), detail: Type.String(), options: Type.Array(PromptOptionSchema),
});

export const PendingQuestionSchema = Type.Object({
  question: Type.String(), header: Type.Optional(Type.String()), options: Type.Array(PromptOptionSchema),
  multiSelect: Type.Optional(Type.Boolean()),
});

/** A session as every route returns it. Secrets and driver internals are not part of it. */
export const SessionSchema = Type.Object({
  id: Type.String(),
  name: Type.Optional(Type.String()),
  agent: Type.String(),
  workDir: Type.String(),
  permissionMode: enumString(PERMISSION_MODES),
  owner: Type.Object({ principalId: Type.String(), tenantId: Type.Optional(Type.String()) }),
  status: enumString(SESSION_STATES),
  stateCause: Type.String({ description: 'What caused the current state' }),
  createdAt: Type.String(), updatedAt: Type.String(), lastActivityAt: Type.String(),
  agentSessionId: Type.Optional(Type.String()),
  pid: Type.Optional(Type.Integer()),
  exitCode: Type.Optional(nullable<number>('integer')),
  exitSignal: Type.Optional(nullable<string>('string')),
  reason: Type.Optional(Type.String()),
  restarts: Type.Integer(),
  envNames: Type.Array(Type.String()),
  pendingPermission: Type.Optional(PendingPermissionSchema),
  pendingQuestion: Type.Optional(PendingQuestionSchema),
});

export const CreatedSessionSchema = Type.Object({ ...SessionSchema.properties, reused: Type.Boolean() });

export const CreateBody = Type.Object({
  workDir: Type.String({ minLength: 1, maxLength: 4096, description: 'Absolute path of an existing directory' }),
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  prompt: Type.Optional(Type.String({ minLength: 1, maxLength: 200000 })),
  permissionMode: Type.Optional(PermissionModeSchema),
  env: Type.Optional(Type.Record(Type.String(), Type.String({ maxLength: 32768 }), { maxProperties: 100 })),
  agent: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Driver name; claude-code by default' })),
  resumeSessionId: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9._:][A-Za-z0-9._:-]{0,127}$', description: "The agent's own conversation id to continue" })),
  reuse: Type.Optional(Type.Boolean({ description: 'false: never reuse an idle session' })),
  agentOptions: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'Driver-specific options' })),
}, { additionalProperties: false });

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export const KillQuery = Type.Object({
  wait: Type.Optional(Type.Boolean({
    default: false,
    description: 'true: answer only once the process group is gone, with the session `exited` (200)',
  })),
});

export const ListQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  offset: Type.Integer({ minimum: 0, default: 0 }),
  cursor: Type.Optional(Type.String({ maxLength: 1000 })),
  status: Type.Optional(StateSchema),
  agent: Type.Optional(Type.String({ maxLength: 100 })),
});

export const ListResponse = Type.Object({
  sessions: Type.Array(SessionSchema), total: Type.Integer(), limit: Type.Integer(), offset: Type.Integer(),
  nextCursor: Type.Optional(Type.String()),
});

export const SendBody = Type.Object({ text: Type.String({ minLength: 1, maxLength: 200000 }) }, { additionalProperties: false });
export const SendResponse = Type.Object({ delivered: Type.Boolean(), attempts: Type.Integer() });
export const ApproveBody = Type.Object({ option: Type.Optional(Type.Integer({ minimum: 1 })) }, { additionalProperties: false });
export const AnswerBody = Type.Union([
  Type.Object({ option: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
  Type.Object({ text: Type.String({ minLength: 1, maxLength: 100000 }) }, { additionalProperties: false }),
]);
export const Empty = Type.Object({}, { additionalProperties: false });
export const Ok = Type.Object({ ok: Type.Boolean() });

export const PaneResponse = Type.Object({
  lines: Type.Array(Type.String()), text: Type.String(),
  cursor: Type.Object({ x: Type.Integer(), y: Type.Integer() }), cols: Type.Integer(), rows: Type.Integer(),
});

export const TranscriptEntrySchema = Type.Object({
  id: Type.String(), index: Type.Integer(), role: RoleSchema, text: Type.String(), at: Type.Optional(Type.String()),
  toolName: Type.Optional(Type.String()), toolInput: Type.Optional(Type.Unknown()),
});

export const TranscriptQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  offset: Type.Integer({ minimum: 0, default: 0 }),
  role: Type.Optional(RoleSchema),
});
export const TranscriptResponse = Type.Object({
  entries: Type.Array(TranscriptEntrySchema), total: Type.Integer(), limit: Type.Integer(), offset: Type.Integer(),
});
export const CursorQuery = Type.Object({
  before_id: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
});
export const CursorResponse = Type.Object({
  entries: Type.Array(TranscriptEntrySchema), hasMore: Type.Boolean(),
  before: Type.Optional(Type.String({ description: 'Pass as before_id for the page further back' })),
});

const Usage = Type.Object({
  inputTokens: Type.Number(), outputTokens: Type.Number(), cacheReadTokens: Type.Number(), cacheCreationTokens: Type.Number(),
  costUsd: Type.Optional(Type.Number()),
});
export const MetricsResponse = Type.Object({
  sessionId: Type.String(), status: StateSchema, ageMs: Type.Integer(),
  timeInState: Type.Record(Type.String(), Type.Integer()), stateChanges: Type.Integer(),
  messagesSent: Type.Integer(), messagesFailed: Type.Integer(),
  toolCalls: Type.Object({ total: Type.Integer(), byName: Type.Record(Type.String(), Type.Integer()) }),
  approvals: Type.Integer(), rejections: Type.Integer(), answers: Type.Integer(), interrupts: Type.Integer(),
  restarts: Type.Integer(), usage: Usage,
  driver: Type.Optional(Type.Record(Type.String(), Type.Number(), { description: "The driver's own counters" })),
});

export const HandshakeResponse = Type.Object({
  version: Type.String(),
  agents: Type.Array(Type.Object({
    name: Type.String(),
    capabilities: Type.Object({ resume: Type.Boolean(), transcript: Type.Boolean(), permissions: Type.Boolean(), questions: Type.Boolean() }),
  })),
  defaultAgent: Type.String(),
  states: Type.Array(Type.String()),
  permissionModes: Type.Array(Type.String()),
});

export const HookParams = Type.Object({
  sessionId: Type.String({ minLength: 1, maxLength: 64 }),
  event: Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$' }),
});
