import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { KeyNotFound, TenantMismatch } from './errors.js';
import type { KeyRecord, KeyStore } from './keys.js';
import type { StreamTokens } from './stream-tokens.js';
import type { Principal } from './principal.js';
import { ROLE_PERMISSIONS } from './roles.js';
import { CreateKeyBody, KeyList, KeyParams, KeyView, KeyWithSecret, RotateKeyBody, StreamTokenView, WhoAmI, type KeyEventT } from './schema.js';
import { ErrorBodySchema } from '../../kernel/index.js';

const errors = { 400: ErrorBodySchema, 403: ErrorBodySchema, 404: ErrorBodySchema, 409: ErrorBodySchema };

/** The key routes use the principal the guard set; they are never open. */
const actorOf = (request: FastifyRequest): Principal => request.principal!;

/**
 * API key management (`admin` permission) and `whoami`. A key that belongs to a tenant manages
 * only its tenant's keys; others' look like unknown ids.
 */
export async function keyRoutes(app: FastifyInstance, opts: { keys: KeyStore; streamTokens: StreamTokens }): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { keys } = opts;
  const tags = ['auth'];

  const visible = (actor: Principal, id: string): KeyRecord => {
    const k = keys.get(id);
    if (!k || (actor.tenantId !== undefined && k.tenantId !== actor.tenantId)) throw new KeyNotFound(id);
    return k;
  };
  const emit = (name: 'auth.key-created' | 'auth.key-revoked' | 'auth.key-rotated', k: KeyRecord, actor: Principal, extra: Partial<KeyEventT> = {}) => {
    app.events.emit(name, {
      keyId: k.id, name: k.name, role: k.role, ...(k.tenantId !== undefined ? { tenantId: k.tenantId } : {}),
      actorId: actor.id, ...(actor.tenantId !== undefined ? { actorTenantId: actor.tenantId } : {}), at: new Date().toISOString(), ...extra,
    });
  };

  r.post('/v1/auth/keys', {
    config: { permission: 'admin' },
    schema: { tags, summary: 'Create an API key; the key is in this response only', body: CreateKeyBody, response: { 201: KeyWithSecret, ...errors } },
  }, async (request, reply) => {
    const actor = actorOf(request);
    const input = { ...request.body };
    if (actor.tenantId !== undefined) {
      if (input.tenantId !== undefined && input.tenantId !== actor.tenantId) throw new TenantMismatch(actor.tenantId);
      input.tenantId = actor.tenantId;
    }
    const { record, token } = await keys.create(input, actor.id);
    emit('auth.key-created', record, actor);
    return reply.status(201).send({ ...keys.view(record), key: token });
  });

  r.get('/v1/auth/keys', {
    config: { permission: 'admin' },
    schema: { tags, summary: 'List API keys (never the keys themselves)', response: { 200: KeyList } },
  }, async (request) => ({ keys: keys.list(actorOf(request).tenantId).map((k) => keys.view(k)) }));

  r.delete('/v1/auth/keys/:id', {
    config: { permission: 'admin' },
    schema: { tags, summary: 'Revoke an API key at once', params: KeyParams, response: { 200: KeyView, ...errors } },
  }, async (request) => {
    const actor = actorOf(request);
    const record = await keys.revoke(visible(actor, request.params.id).id);
    emit('auth.key-revoked', record, actor);
    return keys.view(record);
  });

  r.post('/v1/auth/keys/:id/rotate', {
    config: { permission: 'admin' },
    preValidation: async (request) => { if (request.body === undefined || request.body === null) request.body = {}; },
    schema: {
      tags, summary: 'Give a key a new secret; the old one works for graceSeconds more', params: KeyParams, body: RotateKeyBody,
      response: { 200: KeyWithSecret, ...errors },
    },
  }, async (request) => {
    const actor = actorOf(request);
    const graceSeconds = request.body.graceSeconds ?? 0;
    const { record, token } = await keys.rotate(visible(actor, request.params.id).id, graceSeconds);
    emit('auth.key-rotated', record, actor, { graceSeconds });
    return { ...keys.view(record), key: token };
  });

  r.post('/v1/auth/stream-token', {
    config: { permission: 'read' },
    schema: {
      tags, summary: 'A short-lived token for opening an event or terminal stream from a browser (?token=)',
      response: { 200: StreamTokenView },
    },
  }, async (request) => opts.streamTokens.issue(actorOf(request)));

  r.get('/v1/auth/whoami', {
    config: { permission: 'read' },
    schema: { tags, summary: 'The caller: key id, role, tenant and permissions', response: { 200: WhoAmI } },
  }, async (request) => {
    const p = actorOf(request);
    const permissions = [...new Set([...ROLE_PERMISSIONS[p.role], ...(p.permissions ?? [])])];
    return { id: p.id, kind: p.kind, role: p.role, tenantId: p.tenantId, name: p.name, permissions };
  });
}
