import { defineError } from '../../kernel/index.js';

/** No valid token arrived (query stream token or first `auth` frame) in time. */
export const TerminalUnauthenticated = defineError('AEGIS_ERR_TERMINAL_UNAUTHENTICATED', 'The terminal needs a token: %s', 401);
/** A frame that is not JSON or not one of the client frames. */
export const TerminalBadFrame = defineError('AEGIS_ERR_TERMINAL_BAD_FRAME', 'Unreadable terminal frame: %s', 400);
/** Input or resize from a principal that may only watch. */
export const TerminalReadOnly = defineError('AEGIS_ERR_TERMINAL_READ_ONLY', 'This terminal is read-only for %s', 403);
/** The client did not read its output fast enough and was cut off. */
export const TerminalSlowClient = defineError('AEGIS_ERR_TERMINAL_SLOW_CLIENT', 'Client fell more than %s bytes behind', 429);
/** The principal may not read sessions at all. */
export const TerminalForbidden = defineError('AEGIS_ERR_TERMINAL_FORBIDDEN', '%s may not watch sessions', 403);
/** Too many bad tokens from this address; refused until its window ends. */
export const TerminalThrottled = defineError('AEGIS_ERR_TERMINAL_THROTTLED', 'Too many failed authentications from this address', 429);
/** A plain HTTP request to the terminal route: it only speaks WebSocket. */
export const TerminalUpgradeRequired = defineError('AEGIS_ERR_TERMINAL_UPGRADE_REQUIRED', 'This route only accepts a WebSocket upgrade', 426);
