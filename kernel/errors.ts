import createError from '@fastify/error';
import { Type } from '@sinclair/typebox';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * Declares a coded error. Every error Aegis returns over HTTP is made by one of these,
 * so its `code` (AEGIS_ERR_<AREA>_<PROBLEM>) is stable and its status is fixed.
 * The message may use `%s` placeholders filled from the constructor arguments.
 */
export function defineError(code: `AEGIS_ERR_${string}`, message: string, statusCode: number) {
  return createError(code, message, statusCode);
}

/** An error raised while booting (config, plugin resolution). It stops the boot with one line. */
export class BootError extends Error {
  constructor(readonly code: `AEGIS_ERR_${string}`, message: string) {
    super(message);
    this.name = 'BootError';
  }
}

export const RouteNotFound = defineError('AEGIS_ERR_ROUTE_NOT_FOUND', 'No route %s %s', 404);
export const ServerDraining = defineError('AEGIS_ERR_SERVER_DRAINING', 'The server is shutting down and takes no new requests', 503);
export const InvalidJson = defineError('AEGIS_ERR_INVALID_JSON', 'The request body is not valid JSON', 400);
export const BodyTooLarge = defineError('AEGIS_ERR_BODY_TOO_LARGE', 'The request body is larger than %s bytes', 413);
export const UnsupportedMediaType = defineError('AEGIS_ERR_UNSUPPORTED_MEDIA_TYPE', 'Content type %s is not accepted; send application/json', 415);
/** Longest path parameter the router accepts (fastify's default); longer ones answer 414. */
export const MAX_PARAM_LENGTH = 100;

export const BadUrl = defineError('AEGIS_ERR_BAD_URL', 'The URL is not valid (malformed percent-encoding)', 400);
export const ParamTooLong = defineError('AEGIS_ERR_PARAM_TOO_LONG', 'A path parameter is longer than %s characters', 414);
export const Internal = defineError('AEGIS_ERR_INTERNAL', 'Internal error; see the server log for request %s', 500);

/** The one JSON shape of every error response, for route response schemas. */
export const ErrorBodySchema = Type.Object({
  code: Type.String({ description: 'AEGIS_ERR_<AREA>_<PROBLEM>; clients branch on it' }),
  message: Type.String(),
  requestId: Type.String(),
  details: Type.Optional(Type.Unknown()),
});

/** The one JSON shape of every error response. */
export interface ErrorBody {
  code: string;
  message: string;
  requestId: string;
  details?: unknown;
}

/** Fastify's own codes mapped to ours, so clients only ever see AEGIS_ERR_* codes. */
function translate(err: FastifyError, request: FastifyRequest, bodyLimit: number, maxParamLength: number): FastifyError {
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new InvalidJson();
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new BodyTooLarge(String(bodyLimit));
    case 'FST_ERR_BAD_URL':
      return new BadUrl();
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new ParamTooLong(String(maxParamLength));
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new UnsupportedMediaType(String(request.headers['content-type'] ?? 'none'));
    default:
      return err;
  }
}

/**
 * Fastify's `frameworkErrors` option: router-level failures (bad percent-encoding, an over-long
 * path parameter) happen before any route's error handler, so they get the shape here.
 */
export function frameworkErrorHandler(bodyLimit: number, maxParamLength: number) {
  return (raw: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const err = translate(raw, request, bodyLimit, maxParamLength);
    const ours = typeof err.code === 'string' && err.code.startsWith('AEGIS_ERR_');
    const body: ErrorBody = ours
      ? { code: err.code, message: err.message, requestId: request.id }
      : { code: 'AEGIS_ERR_BAD_REQUEST', message: 'The request could not be routed', requestId: request.id };
    reply.status(ours ? err.statusCode ?? 400 : 400).send(body);
  };
}

/** Installs the error and not-found handlers that give every failure the `{code, message, requestId}` shape. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((raw: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (raw.code === 'FST_ERR_VALIDATION' || raw.validation) {
      const where = raw.validationContext ?? 'request';
      const first = raw.validation?.[0];
      const path = first ? `${where}${first.instancePath || ''}` : where;
      const message = first ? `${path} ${first.message ?? 'is invalid'}` : raw.message;
      const body: ErrorBody = { code: 'AEGIS_ERR_VALIDATION', message, requestId: request.id, details: raw.validation };
      return reply.status(400).send(body);
    }
    const err = translate(raw, request, app.initialConfig.bodyLimit ?? 1048576, MAX_PARAM_LENGTH);
    const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    const ours = typeof err.code === 'string' && err.code.startsWith('AEGIS_ERR_');
    if (status >= 500) request.log.error({ err: raw }, 'request failed');
    if (!ours) {
      // A foreign error's message may carry internals; only its status class is passed on.
      const body: ErrorBody = status >= 500
        ? { code: 'AEGIS_ERR_INTERNAL', message: new Internal(request.id).message, requestId: request.id }
        : { code: 'AEGIS_ERR_BAD_REQUEST', message: err.message, requestId: request.id };
      return reply.status(status).send(body);
    }
    const body: ErrorBody = { code: err.code, message: err.message, requestId: request.id };
    const details = (err as FastifyError & { details?: unknown }).details;
    if (details !== undefined) body.details = details;
    return reply.status(status).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const err = new RouteNotFound(request.method, request.url.split('?')[0]);
    reply.status(404).send({ code: err.code, message: err.message, requestId: request.id } satisfies ErrorBody);
  });
}
