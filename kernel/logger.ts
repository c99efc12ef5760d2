import type { Logger, LoggerOptions } from 'pino';

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
