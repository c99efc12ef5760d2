import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The npm package Aegis is published as (the deployment guide's Quick Start installs it). */
export const PACKAGE_NAME = '@onestepat4time/aegis';

function findVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === PACKAGE_NAME) return pkg.version ?? '0.0.0';
    }
    dir = dirname(dir);
  }
  return '0.0.0';
}

/** Aegis's version, from its package.json. */
export const VERSION = findVersion();

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
