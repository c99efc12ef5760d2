import { Type, type Static } from '@sinclair/typebox';

/** The audit plugin takes no options: where it writes is fixed so `ag audit verify` finds it. */
export const optionsSchema = Type.Object({}, { additionalProperties: false });
export type AuditOptions = Static<typeof optionsSchema>;

/** Folder of the daily files, inside the state directory. */
export const AUDIT_DIR = 'audit';
/** The HMAC key file, inside the state directory (mode 0600, made on first start). */
export const KEY_FILE = 'audit.key';

const Str = Type.String({ minLength: 1, maxLength: 200 });

/** `GET /v1/audit` query. */
export const AuditQuery = Type.Object({
  actor: Type.Optional(Str),
  action: Type.Optional(Str),
  sessionId: Type.Optional(Str),
  tenantId: Type.Optional(Str),
  from: Type.Optional(Type.String({ maxLength: 40, description: 'ISO time, inclusive' })),
  to: Type.Optional(Type.String({ maxLength: 40, description: 'ISO time, inclusive' })),
  cursor: Type.Optional(Type.String({ maxLength: 100 })),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100, description: 'Page size of JSON answers; exports send every match' }),
  verify: Type.Boolean({ default: false, description: 'Answer the integrity report of the whole chain instead' }),
  format: Type.Union([Type.Literal('json'), Type.Literal('ndjson'), Type.Literal('csv')], { default: 'json' }),
}, { additionalProperties: false });

export const AuditRecordSchema = Type.Object({
  seq: Type.Integer(), ts: Type.String(), actor: Type.String(), tenantId: Type.Union([Type.String(), Type.Null()]),
  action: Type.String(), sessionId: Type.Optional(Type.String()), detail: Type.Record(Type.String(), Type.Unknown()),
  prevHash: Type.String(), hash: Type.String(),
});

export const AuditPage = Type.Object({ records: Type.Array(AuditRecordSchema), nextCursor: Type.Optional(Type.String()) });

export const VerifyReportSchema = Type.Object({
  ok: Type.Boolean(), records: Type.Integer(), files: Type.Integer(),
  firstBroken: Type.Optional(Type.Object({ file: Type.String(), line: Type.Integer(), seq: Type.Integer(), reason: Type.String() })),
  head: Type.Optional(Type.Object({ seq: Type.Integer(), hash: Type.String(), ts: Type.String() }, { description: 'The signed head the chain was checked against' })),
});
