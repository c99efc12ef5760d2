import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'aegis') return pkg.version ?? '0.0.0';
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
  detail: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'Only with a valid token: what plugins report (e.g. sessions.isolation)' })),
});

/**
 * `app.health`: plugins add named details to `GET /v1/health`, shown only to a caller the
 * `authenticate` hook accepts (the auth plugin sets it); the anonymous answer stays as it is.
 */
export interface HealthService {
  addDetail(name: string, read: () => unknown): void;
  /** Whether the request carries valid credentials; unset = details are never shown. */
  authenticate?: (request: FastifyRequest) => Promise<boolean>;
  /** The details, by name. */
  details(): Record<string, unknown>;
}

export function createHealthService(): HealthService {
  const readers = new Map<string, () => unknown>();
  return {
    addDetail: (name, read) => { readers.set(name, read); },
    details: () => Object.fromEntries([...readers].map(([name, read]) => [name, read()])),
  };
}

/** `GET /v1/health`: open without a token, 503 while draining so probes react. Nothing secret. */
export function registerHealth(app: FastifyInstance): void {
  app.get('/v1/health', {
    config: { auth: false, drain: 'allow' },
    schema: { tags: ['server'], summary: 'Liveness and readiness', response: { 200: HealthSchema, 503: HealthSchema } },
  }, async (request, reply) => {
    const draining = app.lifecycle.draining;
    const authed = app.health.authenticate ? await app.health.authenticate(request).catch(() => false) : false;
    return reply.status(draining ? 503 : 200).send({
      status: draining ? 'draining' : 'ok',
      version: VERSION,
      uptime: app.lifecycle.uptimeSeconds(),
      ...(authed ? { detail: app.health.details() } : {}),
    });
  });
}
