import { defineError } from '../../kernel/index.js';

export const MissingToken = defineError('AEGIS_ERR_AUTH_MISSING_TOKEN', 'This route needs a bearer token in the Authorization header', 401);
/** Unknown, wrong, expired, revoked and rotated-out tokens all get this one answer. */
export const InvalidToken = defineError('AEGIS_ERR_AUTH_INVALID_TOKEN', 'The bearer token is not valid', 401);
export const Forbidden = defineError('AEGIS_ERR_AUTH_FORBIDDEN', 'This token lacks the %s permission', 403);
/** Too many invalid tokens from one address; `Retry-After` says when to try again. */
export const Throttled = defineError('AEGIS_ERR_AUTH_THROTTLED', 'Too many failed authentications from this address; retry after %s s', 429);
/** The key passed its `rateLimit` requests per minute. */
export const KeyRateLimited = defineError('AEGIS_ERR_AUTH_KEY_RATE_LIMITED', 'This key is limited to %s requests per minute; retry after %s s', 429);
/** Unknown key id, or a key of another tenant (same answer, so ids cannot be probed). */
export const KeyNotFound = defineError('AEGIS_ERR_AUTH_KEY_NOT_FOUND', 'No API key %s', 404);
export const KeyRevoked = defineError('AEGIS_ERR_AUTH_KEY_REVOKED', 'API key %s is revoked', 409);
export const KeyExpired = defineError('AEGIS_ERR_AUTH_KEY_EXPIRED', 'API key %s has expired', 409);
/** A tenant's admin tried to make a key for another tenant, or a global one. */
export const TenantMismatch = defineError('AEGIS_ERR_AUTH_TENANT_MISMATCH', 'A key of tenant %s may only manage keys of its own tenant', 403);
/** A master token or API key was put in a URL, where proxies, browsers and logs keep it. */
export const KeyInUrl = defineError('AEGIS_ERR_AUTH_KEY_IN_URL', 'API keys and the master token are refused in a URL; send them as Authorization: Bearer, or use a stream token', 401);
/** A `?token=` that is no live stream token (unknown or expired), on a stream route. */
export const InvalidStreamToken = defineError('AEGIS_ERR_AUTH_INVALID_STREAM_TOKEN', 'The stream token is unknown or expired; ask POST /v1/auth/stream-token for a new one', 401);
