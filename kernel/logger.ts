import pino, { type Logger, type LoggerOptions } from 'pino';

/** Fields a log record gets from where it is written (trace and span ids); see `setLogMixin`. */
export type LogMixin = (mergeObject: object, level: number, logger: Logger) => object;
let logMixin: LogMixin | undefined;

/**
 * Installs the one mixin of the root logger. It must be set before the logger is built (the
 * tracing preload does it); with none set, pino does no per-record work at all.
 */
export function setLogMixin(mixin: LogMixin | undefined): void {
  logMixin = mixin;
}

/** Paths pino replaces with [REDACTED] wherever they appear in a log record. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-aegis-hook-secret"]',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'token',
  'authToken',
  'apiKey',
  'secret',
  'key',
  '*.token',
  '*.authToken',
  '*.apiKey',
  '*.secret',
  '*.password',
  'config.server.authToken',
];

/** Query parameters whose values are credentials (stream tokens, and keys pasted by mistake). */
const SECRET_QUERY = /([?&](?:token|access_token|api_key|apikey|key)=)[^&#]*/gi;

/** A URL with the values of credential query parameters replaced, for request logs. */
export function maskUrl(url: string): string {
  return url.replace(SECRET_QUERY, '$1[REDACTED]');
}

interface LoggedRequest {
  method?: string; url?: string; host?: string; ip?: string;
  headers?: Record<string, unknown>; socket?: { remotePort?: number };
}

/** Fastify's request shape in logs, with credentials in the query string masked. */
function requestSerializer(req: LoggedRequest) {
  return {
    method: req.method,
    url: typeof req.url === 'string' ? maskUrl(req.url) : req.url,
    version: req.headers?.['accept-version'],
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

/** Options of the one pino root logger; the level is the config's `logLevel` (AEGIS_LOG_LEVEL). */
export function loggerOptions(level = 'info'): LoggerOptions {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
    serializers: { req: requestSerializer },
    base: { service: 'aegis' },
    ...(logMixin ? { mixin: logMixin as NonNullable<LoggerOptions['mixin']> } : {}),
  };
}

/** How log records are written: `json` lines, `pretty` one-line text, or `auto` (pretty on a terminal). */
export type LogFormat = 'auto' | 'json' | 'pretty';

/** Fields the pretty access line shows in its message instead of after it. */
const ACCESS_FIELDS = ['method', 'url', 'statusCode', 'durationMs'] as const;

/** The human form of a record's message: access lines read `GET /v1/x 200 1.2 ms`. */
function prettyMessage(log: Record<string, unknown>, messageKey: string): string {
  const msg = String(log[messageKey] ?? '');
  if (msg === 'request completed') return `${log.method} ${log.url} ${log.statusCode} ${log.durationMs} ms`;
  // These keys are hidden from every pretty line for the access line's sake; other lines keep them.
  const kept = ACCESS_FIELDS.filter((k) => log[k] !== undefined).map((k) => `${k}=${String(log[k])}`);
  return kept.length ? `${msg} ${kept.join(' ')}` : msg;
}

/**
 * The one root logger: JSON lines on stdout, or, when `format` asks for it (`auto`: stdout is a
 * terminal), pino-pretty's one line per record. pino-pretty is loaded only then: a server whose
 * output goes to a file, a pipe or a collector never loads it.
 */
export async function createRootLogger(level = 'info', format: LogFormat = 'auto', out: NodeJS.WritableStream & { isTTY?: boolean } = process.stdout): Promise<Logger> {
  const pretty = format === 'pretty' || (format === 'auto' && out.isTTY === true);
  // pino's own sync writer on fd 1 for the real stdout; tests hand in a stream of their own.
  if (!pretty) return out === process.stdout ? pino(loggerOptions(level)) : pino(loggerOptions(level), out);
  const { default: prettyStream } = await import('pino-pretty');
  return pino(loggerOptions(level), prettyStream({
    destination: out,
    sync: true,
    singleLine: true,
    colorize: out.isTTY === true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: ['pid', 'hostname', 'service', ...ACCESS_FIELDS].join(','),
    messageFormat: prettyMessage,
  }));
}
