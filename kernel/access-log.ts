import { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { maskUrl } from './logger.js';

/** Whether `log` writes records of `level` (the root logger is pino's). */
const enabled = (log: FastifyBaseLogger, level: string) => (log as unknown as Logger).isLevelEnabled(level);

/** Levels a route may ask for its access line (`config: { accessLog: 'debug' }`). */
export type AccessLogLevel = 'debug' | 'info';

/** The route's access-line level: its `config.accessLog`, else info. */
const routeLevel = (request: FastifyRequest): AccessLogLevel =>
  (request.routeOptions.config as { accessLog?: AccessLogLevel } | undefined)?.accessLog ?? 'info';

/** What an access line says about a request. */
function fields(request: FastifyRequest, reply: FastifyReply, statusCode: number) {
  const principal = (request as { principal?: { id?: unknown } | null }).principal;
  return {
    method: request.method,
    url: maskUrl(request.url),
    statusCode,
    durationMs: Math.round(reply.elapsedTime * 10) / 10,
    ip: request.ip,
    ...(typeof principal?.id === 'string' ? { principalId: principal.id } : {}),
  };
}

/**
 * Fastify's request logging, as one line per request written when the response is done:
 * `request completed` with the method, the URL (credentials masked), the status, the duration in
 * milliseconds, the client address and the principal when one was authenticated; the request id
 * (`reqId`) and, with tracing on, the trace and span ids come from the request's logger. Routes
 * polled by machines (health, metrics) set `config.accessLog: 'debug'`. A 5xx answer is a warning
 * (the error handler writes the failure itself, with its stack); a response that broke off is an
 * error. A request whose connection closes before its response finishes (a stream the client
 * left, a WebSocket) gets its line then, through `requestClosed` (installed by `installAccessLog`).
 * The start of a request is logged only at trace level.
 */
export class AccessLog extends LogController {
  /** Requests whose line is written: a response that errors also closes, and must not log twice. */
  private readonly logged = new WeakSet<FastifyRequest>();

  override incomingRequest(request: FastifyRequest): void {
    if (!enabled(request.log, 'trace')) return;
    request.log.trace({ method: request.method, url: maskUrl(request.url) }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.logged.has(request)) return;
    this.logged.add(request);
    const status = reply.statusCode;
    const level = error ? 'error' : status >= 500 ? 'warn' : routeLevel(request);
    if (!enabled(reply.log, level)) return;
    reply.log[level]({ ...fields(request, reply, status), ...(error ? { err: error } : {}) }, 'request completed');
  }

  /**
   * The line of a request whose connection closed before its response finished: a stream the
   * client left (SSE), or a WebSocket (logged as 101 when it ends). Fastify writes no completion
   * for these, and without this they would leave no line at all.
   */
  requestClosed(request: FastifyRequest, reply: FastifyReply): void {
    if (this.logged.has(request)) return;
    this.logged.add(request);
    const level = routeLevel(request);
    if (!enabled(reply.log, level)) return;
    const upgraded = request.headers.upgrade?.toLowerCase() === 'websocket';
    reply.log[level]({ ...fields(request, reply, upgraded ? 101 : reply.statusCode), ...(upgraded ? {} : { aborted: true }) }, 'request completed');
  }

  // A client leaving a stream is the aborted access line; other stream failures stay warnings.
  override streamError(error: Error & { code?: string }, request: FastifyRequest, reply: FastifyReply): void {
    if (error.code === 'ERR_STREAM_PREMATURE_CLOSE') return;
    super.streamError(error, request, reply);
  }

  // The kernel's own 404 handler answers; its access line already says 404.
  override routeNotFound(): void {}
}

/** Fastify's options and hook for the access log: one line per request, however it ends. */
export function installAccessLog(app: FastifyInstance, log: AccessLog): void {
  app.addHook('onRequest', (request, reply, done) => {
    // 'close' follows 'finish' on a completed response; alone it means the connection went first.
    reply.raw.once('close', () => { if (!reply.raw.writableFinished) log.requestClosed(request, reply); });
    done();
  });
}
