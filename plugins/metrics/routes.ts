import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { safeEqual } from '../../kernel/index.js';
import { MetricsTokenInvalid } from './errors.js';

function bearer(header: string | undefined): string | undefined {
  return header ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
}

/**
 * `GET /metrics` in the Prometheus text format. Guarded by the auth plugin (permission `metrics`)
 * unless a metrics token is configured, which then is the only way in.
 */
export function metricsRoute(app: FastifyInstance, register: Registry, token: string | undefined): void {
  app.get('/metrics', {
    config: token ? { auth: false, accessLog: 'debug' } : { permission: 'metrics', accessLog: 'debug' },
    schema: { tags: ['metrics'], summary: 'Prometheus metrics (text exposition format)', hide: true } as object,
    onRequest: token
      ? async (request) => {
        const given = bearer(request.headers.authorization);
        if (!given || !safeEqual(given, token)) throw new MetricsTokenInvalid();
      }
      : [],
  }, async (_request, reply) => {
    reply.header('content-type', register.contentType);
    reply.header('cache-control', 'no-store');
    return register.metrics();
  });
}
