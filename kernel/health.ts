import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { VERSION } from './version.js';

export { VERSION, PACKAGE_NAME } from './version.js';

export const HealthSchema = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('draining')]),
  version: Type.String(),
  uptime: Type.Integer({ description: 'Seconds since start' }),
  detail: Type.Optional(Type.Record(Type.String(), Type.Unknown(), {
    description: 'Only with a valid token: what each plugin reports about its dependencies (e.g. the Claude Code version found)',
  })),
});

/**
 * `GET /v1/health`: open without a token, 503 while draining so probes react. Nothing secret. A
 * caller that brings a valid token also gets `detail`, one entry per `app.healthDetails` provider
 * (plugins add theirs; a provider that throws shows its error message instead).
 */
export function registerHealth(app: FastifyInstance): void {
  app.get('/v1/health', {
    config: { auth: 'optional', drain: 'allow', accessLog: 'debug' },
    schema: { tags: ['server'], summary: 'Liveness and readiness', response: { 200: HealthSchema, 503: HealthSchema } },
  }, async (request, reply) => {
    const draining = app.lifecycle.draining;
    const authenticated = Boolean((request as { principal?: unknown }).principal);
    return reply.status(draining ? 503 : 200).send({
      status: draining ? 'draining' : 'ok',
      version: VERSION,
      uptime: app.lifecycle.uptimeSeconds(),
      ...(authenticated && app.healthDetails.size ? { detail: healthDetail(app) } : {}),
    });
  });
}

function healthDetail(app: FastifyInstance): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, provide] of app.healthDetails) {
    try {
      out[name] = provide();
    } catch (err) {
      out[name] = { error: (err as Error).message };
    }
  }
  return out;
}
