import { Type, type Static } from '@sinclair/typebox';
import { PERMISSIONS, ROLES } from './roles.js';

/** The `plugins.auth` options. The master token itself comes from AEGIS_AUTH_TOKEN (`server.authToken`). */
export const optionsSchema = Type.Object({
  tokenFile: Type.String({ default: 'auth-token', description: 'Where a generated master token is kept, relative to the state directory' }),
  keysFile: Type.String({ default: 'auth/keys.json', description: 'Where API keys (hashed) are kept, relative to the state directory' }),
  failureLimit: Type.Integer({ minimum: 1, default: 20, description: 'Invalid tokens one address may present per window before it gets 429' }),
  failureWindowMs: Type.Integer({ minimum: 1000, default: 60000, description: 'Length of the failure-counting window' }),
  streamTokenTtlMs: Type.Integer({ minimum: 1, maximum: 600000, default: 60000, description: 'How long a stream token may be used to open a stream' }),
}, { additionalProperties: false });

/** Validated auth options. */
export type AuthOptions = Static<typeof optionsSchema>;

const Role = Type.Union(ROLES.map((r) => Type.Literal(r)));
/** Extra permissions a key may be given; `admin` only comes with the admin role. */
const ExtraPermission = Type.Union(PERMISSIONS.filter((p) => p !== 'admin').map((p) => Type.Literal(p)));

/** `POST /v1/auth/keys` body. */
export const CreateKeyBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  role: Role,
  permissions: Type.Optional(Type.Array(ExtraPermission, { uniqueItems: true })),
  tenantId: Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9._-]+$' })),
  ttlDays: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 3650, description: 'Days until the key expires; none = never' })),
  rateLimit: Type.Optional(Type.Integer({ minimum: 1, description: 'Requests per minute' })),
  maxSessions: Type.Optional(Type.Integer({ minimum: 1, description: 'Live sessions this key may have at once (429 AEGIS_ERR_TENANCY_QUOTA beyond)' })),
}, { additionalProperties: false });
export type CreateKeyInput = Static<typeof CreateKeyBody>;

/** `POST /v1/auth/keys/:id/rotate` body. */
export const RotateKeyBody = Type.Object({
  graceSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 30 * 86400, description: 'How long the old key keeps working' })),
}, { additionalProperties: false });

export const KeyParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

/** A key as the API shows it: never the key, never its hash. */
export const KeyView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: Role,
  permissions: Type.Array(Type.String()),
  tenantId: Type.Optional(Type.String()),
  rateLimit: Type.Optional(Type.Integer()),
  maxSessions: Type.Optional(Type.Integer()),
  createdAt: Type.String(),
  createdBy: Type.String(),
  expiresAt: Type.Optional(Type.String()),
  revokedAt: Type.Optional(Type.String()),
  rotatedAt: Type.Optional(Type.String()),
  /** Until when the key's previous secret still works, after a rotation with grace. */
  previousValidUntil: Type.Optional(Type.String()),
  status: Type.Union([Type.Literal('active'), Type.Literal('expired'), Type.Literal('revoked')]),
});
export type KeyViewT = Static<typeof KeyView>;

/** The one response that shows a key: its creation or rotation. */
export const KeyWithSecret = Type.Composite([KeyView, Type.Object({ key: Type.String({ description: 'Shown once; store it now' }) })]);
export const KeyList = Type.Object({ keys: Type.Array(KeyView) });

/** `GET /v1/auth/whoami`. */
export const WhoAmI = Type.Object({
  id: Type.String(), kind: Type.String(), role: Role, tenantId: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()), permissions: Type.Array(Type.String()),
});

/** `GET /v1/auth/whoami` as a type (the dashboard's client uses it). */
export type WhoAmIT = Static<typeof WhoAmI>;
/** `POST /v1/auth/keys` answer: the key's view plus the secret, shown once. */
export type KeyWithSecretT = Static<typeof KeyWithSecret>;

const When = { at: Type.String({ description: 'ISO time' }) };

/** `auth.failed`: a missing, unknown, wrong, expired or revoked token. Never carries the token. */
export const AuthFailedEvent = Type.Object({
  ip: Type.String(), method: Type.String(), url: Type.String(), code: Type.String(), ...When,
  reason: Type.Optional(Type.String({ description: 'missing, malformed, unknown, expired, revoked' })),
  keyId: Type.Optional(Type.String()),
});
/** `auth.denied`: an authenticated principal lacked the route's permission. */
export const AuthDeniedEvent = Type.Object({
  principalId: Type.String(), tenantId: Type.Optional(Type.String()), permission: Type.String(),
  method: Type.String(), url: Type.String(), ...When,
});
/** `auth.throttled`: an address passed the failure limit and is refused until `until`. */
export const AuthThrottledEvent = Type.Object({ ip: Type.String(), failures: Type.Integer(), until: Type.String(), ...When });
/** `auth.key-created`, `auth.key-revoked`, `auth.key-rotated`. */
export const KeyEvent = Type.Object({
  keyId: Type.String(), name: Type.String(), role: Type.String(), tenantId: Type.Optional(Type.String()),
  actorId: Type.String(), actorTenantId: Type.Optional(Type.String()), graceSeconds: Type.Optional(Type.Integer()), ...When,
});
export type KeyEventT = Static<typeof KeyEvent>;

/** `POST /v1/auth/stream-token`. */
export const StreamTokenView = Type.Object({
  token: Type.String({ description: 'Pass as ?token= to an event or terminal stream; accepted nowhere else' }),
  expiresAt: Type.String({ description: 'ISO time after which the token opens nothing' }),
});
