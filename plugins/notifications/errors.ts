import { defineError } from '../../kernel/index.js';

/** No dead letter with that delivery id (or one of another tenant). */
export const DeadLetterNotFound = defineError('AEGIS_ERR_NOTIFY_DEAD_LETTER_NOT_FOUND', 'No dead letter %s', 404);
/** Redelivery to a channel that is not loaded any more. */
export const ChannelUnknown = defineError('AEGIS_ERR_NOTIFY_CHANNEL_UNKNOWN', 'Channel %s is not loaded', 409);
/** A button or link was made for a prompt that is no longer the one pending. */
export const PromptStale = defineError('AEGIS_ERR_NOTIFY_PROMPT_STALE', 'Session %s is not waiting for that permission any more', 409);
