import { defineError } from '../../kernel/index.js';

export const SignatureMissing = defineError('AEGIS_ERR_DISCORD_SIGNATURE_MISSING', 'X-Signature-Ed25519 and X-Signature-Timestamp are required', 401);
/** The timestamp is more than five minutes from now: a replay, or a clock that is off. */
export const SignatureExpired = defineError('AEGIS_ERR_DISCORD_SIGNATURE_EXPIRED', 'The request timestamp is outside the five-minute window', 401);
export const SignatureInvalid = defineError('AEGIS_ERR_DISCORD_SIGNATURE_INVALID', 'The Ed25519 signature does not verify', 401);
export const PayloadInvalid = defineError('AEGIS_ERR_DISCORD_PAYLOAD_INVALID', 'The interaction is not valid: %s', 400);
