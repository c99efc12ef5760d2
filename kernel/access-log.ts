import { LogController, type FastifyBaseLogger, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { maskUrl } from './logger.js';

/** Whether `log` writes records of `level` (the root logger is pino's). */
const enabled = (log: FastifyBaseLogger, level: string) => (log as unknown as Logger).isLevelEnabled(level);

/** Levels a route may ask for its access line (`config: { accessLog: 'debug' }`). */
export type AccessLogLevel = 'debug' | 'info';

/**
 * Fastify's request logging, as one line per request written when the response is done:
 * `request completed` with the method, the URL (credentials masked), the status, the duration in
 * milliseconds, the client address and the principal when one was authenticated; the request id
 * (`reqId`) and, with tracing on, the trace and span ids come from the request's logger. Routes
 * polled by machines (health, metrics) set `config.accessLog: 'debug'`. A 5xx answer is a warning
 * (the error handler writes the failure itself, with its stack); a response that broke off is an
 * error. The start of a request is logged only at trace level.
 */
export class AccessLog extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    if (!enabled(request.log, 'trace')) return;
    request.log.trace({ method: request.method, url: maskUrl(request.url) }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const status = reply.statusCode;
    const level = error ? 'error' : status >= 500 ? 'warn' : (request.routeOptions.config as { accessLog?: AccessLogLevel } | undefined)?.accessLog ?? 'info';
    if (!enabled(reply.log, level)) return;
    const principal = (request as { principal?: { id?: unknown } | null }).principal;
    reply.log[level]({
      method: request.method,
      url: maskUrl(request.url),
      statusCode: status,
      durationMs: Math.round(reply.elapsedTime * 10) / 10,
      ip: request.ip,
      ...(typeof principal?.id === 'string' ? { principalId: principal.id } : {}),
      ...(error ? { err: error } : {}),
    }, 'request completed');
  }

  // The kernel's own 404 handler answers; its access line already says 404.
  override routeNotFound(): void {}
}
