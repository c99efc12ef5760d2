import type { LoggerOptions } from 'pino';

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

/** Options of the one pino root logger; the level is the config's `logLevel` (AEGIS_LOG_LEVEL). */
export function loggerOptions(level = 'info'): LoggerOptions {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
    base: { service: 'aegis' },
  };
}
