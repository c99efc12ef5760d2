import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { VERSION } from './version.js';

export { VERSION, PACKAGE_NAME } from './version.js';

export const HealthSchema = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('draining')]),
  version: Type.String(),
  uptime: Type.Integer({ description: 'Seconds since start' }),
});

/** `GET /v1/health`: open without a token, 503 while draining so probes react. Nothing secret. */
export function registerHealth(app: FastifyInstance): void {
  app.get('/v1/health', {
    config: { auth: false, drain: 'allow' },
    schema: { tags: ['server'], summary: 'Liveness and readiness', response: { 200: HealthSchema, 503: HealthSchema } },
  }, async (_request, reply) => {
    const draining = app.lifecycle.draining;
    return reply.status(draining ? 503 : 200).send({
      status: draining ? 'draining' : 'ok',
      version: VERSION,
      uptime: app.lifecycle.uptimeSeconds(),
    });
  });
}
