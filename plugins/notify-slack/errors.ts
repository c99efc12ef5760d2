import { defineError } from '../../kernel/index.js';

export const SignatureMissing = defineError('AEGIS_ERR_SLACK_SIGNATURE_MISSING', 'X-Slack-Signature and X-Slack-Request-Timestamp are required', 401);
/** The timestamp is more than five minutes from now: a replay, or a clock that is off. */
export const SignatureExpired = defineError('AEGIS_ERR_SLACK_SIGNATURE_EXPIRED', 'The request timestamp is outside the five-minute window', 401);
export const SignatureInvalid = defineError('AEGIS_ERR_SLACK_SIGNATURE_INVALID', 'The Slack signature does not match', 401);
export const PayloadInvalid = defineError('AEGIS_ERR_SLACK_PAYLOAD_INVALID', 'The interaction payload is not valid: %s', 400);
