import { defineError } from '../../kernel/index.js';

/** A cursor that this server did not hand out. */
export const CursorInvalid = defineError('AEGIS_ERR_AUDIT_CURSOR_INVALID', 'Unknown audit cursor', 400);
/** `from` or `to` is not a time. */
export const TimeInvalid = defineError('AEGIS_ERR_AUDIT_TIME_INVALID', '%s is not an ISO time', 400);
/** The integrity report covers every tenant's records, so only principals of no tenant may ask for it. */
export const VerifyForbidden = defineError('AEGIS_ERR_AUDIT_VERIFY_FORBIDDEN', 'Only a principal of no tenant may verify the whole audit chain', 403);
