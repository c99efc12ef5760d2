import { defineError } from '../../kernel/index.js';

/** The server already holds `maxStreams` open streams. */
export const TooManyStreams = defineError('AEGIS_ERR_SSE_TOO_MANY_STREAMS', 'The server holds its limit of %s event streams; retry later', 429);
/** This client address already holds `maxStreamsPerAddress` open streams. */
export const TooManyStreamsFromAddress = defineError('AEGIS_ERR_SSE_TOO_MANY_STREAMS_FROM_ADDRESS', 'This address holds its limit of %s event streams; close one first', 429);
/** Last-Event-ID (header or `lastEventId` query) is not a non-negative integer. */
export const InvalidLastEventId = defineError('AEGIS_ERR_SSE_INVALID_LAST_EVENT_ID', 'Last-Event-ID must be a non-negative integer, got %s', 400);
