import { Type, type Static } from '@sinclair/typebox';

/** The `plugins.terminal` options block. */
export const optionsSchema = Type.Object({
  authTimeoutMs: Type.Integer({ minimum: 100, default: 5000, description: 'How long a socket may stay open before its first message authenticates it' }),
  maxBufferedBytes: Type.Integer({
    minimum: 1024, default: 4 * 1048576,
    description: 'Output queued for a client that does not read; past it the client is cut off (close code 1008)',
  }),
  failureLimit: Type.Integer({ minimum: 1, default: 20, description: 'Bad tokens one address may present per window before its terminals are refused (4429)' }),
  failureWindowMs: Type.Integer({ minimum: 1000, default: 60000, description: 'Length of the failure-counting window' }),
  maxMessageBytes: Type.Integer({ minimum: 256, default: 65536, description: 'Largest client frame (input or resize)' }),
}, { additionalProperties: false });

/** Validated terminal options. */
export type TerminalOptions = Static<typeof optionsSchema>;

/** A frame from the client: authentication (first frame only), keystrokes, or a new size. */
export const ClientFrame = Type.Union([
  Type.Object({ type: Type.Literal('auth'), token: Type.String({ minLength: 1, maxLength: 4096 }) }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('input'), data: Type.String({ maxLength: 65536 }) }, { additionalProperties: false }),
  Type.Object({
    type: Type.Literal('resize'),
    cols: Type.Integer({ minimum: 20, maximum: 1000 }), rows: Type.Integer({ minimum: 5, maximum: 500 }),
  }, { additionalProperties: false }),
]);
export type ClientFrameT = Static<typeof ClientFrame>;

/**
 * A JSON control frame from the server. Raw PTY output travels as binary frames in between.
 * `ready` follows authentication and says whether input is accepted; `screen` carries the
 * escape sequences that redraw the current screen; `exit` says the process ended; `error` comes
 * with a close.
 */
export const ServerFrame = Type.Union([
  Type.Object({ type: Type.Literal('ready'), sessionId: Type.String(), readOnly: Type.Boolean(), role: Type.String() }),
  Type.Object({ type: Type.Literal('screen'), data: Type.String(), cols: Type.Integer(), rows: Type.Integer() }),
  Type.Object({ type: Type.Literal('exit'), status: Type.String() }),
  Type.Object({ type: Type.Literal('error'), code: Type.String(), message: Type.String() }),
]);
export type ServerFrameT = Static<typeof ServerFrame>;

/** Route params. */
export const TerminalParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
export const TerminalQuery = Type.Object({ token: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })) });
