import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { VERSION } from '../../kernel/index.js';
import type { SessionsRegistry } from './service.js';
import { DEFAULT_AGENT } from './create.js';
import { createHookGuard } from './hook-guard.js';
import { HandshakeResponse, HookParams } from './route-schemas.js';
import { PERMISSION_MODES, SESSION_STATES } from './types.js';

/**
 * `POST /v1/handshake` (what this server offers) and the hook receiver
 * `POST /v1/hooks/:sessionId/:event`, which agents call without a bearer token but with the
 * session's own secret. A hook only informs the driver: it answers `{}` at once and never decides
 * a permission, so a slow or stuck driver cannot stall the agent.
 */
export async function protocolRoutes(
  app: FastifyInstance, opts: { service: SessionsRegistry; hookBodyLimit: number; hookFailures: { max: number; windowMs: number } },
): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const svc = opts.service;
  const checkHook = createHookGuard({
    ...opts.hookFailures, events: app.events,
    secretOf: (id) => (svc.record(id) ? svc.session(id).hookSecret || undefined : undefined),
  });

  r.post('/v1/handshake', {
    config: { permission: 'read' },
    preValidation: async (request) => { if (request.body === undefined) request.body = {}; },
    schema: {
      tags: ['server'], summary: 'Server version, agents and their capabilities, states, permission modes',
      body: Type.Object({}, { additionalProperties: true }), response: { 200: HandshakeResponse },
    },
  }, async () => ({
    version: VERSION,
    agents: svc.agents().map((d) => ({ name: d.name, capabilities: { ...d.capabilities } })),
    defaultAgent: DEFAULT_AGENT,
    states: [...SESSION_STATES],
    permissionModes: [...PERMISSION_MODES],
  }));

  r.post('/v1/hooks/:sessionId/:event', {
    config: { auth: false },
    bodyLimit: opts.hookBodyLimit,
    onRequest: checkHook,
    preValidation: async (request) => { if (request.body === undefined) request.body = {}; },
    schema: {
      tags: ['hooks'], summary: 'Hook receiver for agents (X-Aegis-Hook-Secret)', params: HookParams,
      body: Type.Record(Type.String(), Type.Unknown()), response: { 200: Type.Object({}) },
    },
  }, async (request) => {
    const s = svc.session(request.params.sessionId);
    if (s.live && s.driver?.onHook) {
      try {
        s.driver.onHook(s.ctx, { event: request.params.event, body: request.body as Record<string, unknown>, at: Date.now() });
      } catch (err) {
        s.log.error({ err, event: request.params.event }, 'driver onHook threw');
      }
    }
    return {};
  });
}
