import { defineError } from '../../kernel/errors.js';

export const MissingToken = defineError('AEGIS_ERR_AUTH_MISSING_TOKEN', 'This route needs a bearer token in the Authorization header', 401);
export const InvalidToken = defineError('AEGIS_ERR_AUTH_INVALID_TOKEN', 'The bearer token is not valid', 401);
export const Forbidden = defineError('AEGIS_ERR_AUTH_FORBIDDEN', 'This token lacks the %s permission', 403);
