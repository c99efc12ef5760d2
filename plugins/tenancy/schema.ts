import { Type, type Static } from '@sinclair/typebox';

/** The `plugins.tenancy` options. Workdir roots are the config's top-level `tenantWorkdirs`. */
export const optionsSchema = Type.Object({
  sameTenantCanAct: Type.Boolean({
    default: false,
    description: 'Let any operator of a tenant act on every session of that tenant, not only the ones it created',
  }),
  agentUsers: Type.Record(Type.String({ pattern: '^[A-Za-z0-9._-]+$' }), Type.String({ minLength: 1, pattern: '^([a-z_][a-z0-9_.-]*[$]?|[0-9]+:[0-9]+)$' }), {
    default: {},
    description: 'OS user (name or `uid:gid`) the agents of each tenant run as, over plugins.sessions.agentUser',
  }),
  limits: Type.Record(Type.String({ pattern: '^[A-Za-z0-9._-]+$' }), Type.Object({
    maxSessions: Type.Optional(Type.Integer({ minimum: 1, description: 'Live sessions the tenant may have at once' })),
  }, { additionalProperties: false }), {
    default: {},
    description: 'Per-tenant limits; over one, creates answer 429 AEGIS_ERR_TENANCY_QUOTA (other tenants are not affected)',
  }),
}, { additionalProperties: false });

/** Validated tenancy options. */
export type TenancyOptions = Static<typeof optionsSchema>;

/** `tenancy.denied`: a principal was refused by tenancy; audited as `session.action.denied`. */
export const TenancyDeniedEvent = Type.Object({
  tenantId: Type.Optional(Type.String()),
  principalId: Type.String(),
  /** What was attempted: `session.create` or `session.act`. */
  attempted: Type.String(),
  /** outside-root, not-allowed (unallowed subdirectory), not-owner. */
  reason: Type.String(),
  sessionId: Type.Optional(Type.String()),
  /** The workDir as requested and as resolved (symlinks, `..`, encodings). */
  workDir: Type.Optional(Type.String()),
  resolved: Type.Optional(Type.String()),
  at: Type.String(),
});
export type TenancyDenied = Static<typeof TenancyDeniedEvent>;

declare module '../../kernel/events.js' {
  interface AegisEvents {
    'tenancy.denied': TenancyDenied;
  }
}
