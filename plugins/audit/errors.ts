import { defineError } from '../../kernel/index.js';

/** A cursor that this server did not hand out. */
export const CursorInvalid = defineError('AEGIS_ERR_AUDIT_CURSOR_INVALID', 'Unknown audit cursor', 400);
/** `from` or `to` is not a time. */
export const TimeInvalid = defineError('AEGIS_ERR_AUDIT_TIME_INVALID', '%s is not an ISO time', 400);
/** The integrity report covers every tenant's records, so only principals of no tenant may ask for it. */
export const VerifyForbidden = defineError('AEGIS_ERR_AUDIT_VERIFY_FORBIDDEN', 'Only a principal of no tenant may verify the whole audit chain', 403);
/** An audited action's record could not be written: the action is reported as failed. */
export const WriteFailed = defineError('AEGIS_ERR_AUDIT_WRITE_FAILED', 'The audit record of this request could not be written; see the server log for request %s', 500);
