import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ErrorBodySchema } from '../../kernel/index.js';
import type {} from '../auth/index.js';
import { ChannelUnknown, DeadLetterNotFound } from './errors.js';
import type { OutboxEntry } from './outbox.js';
import { DeadLetterPage, DeadLetterQuery, RedeliverParams, RedeliverReply } from './schema.js';

/** What the routes need from the plugin. */
export interface DeadLetterDeps {
  dead(): OutboxEntry[];
  get(id: string): OutboxEntry | undefined;
  redeliver(entry: OutboxEntry): Promise<void>;
  hasChannel(name: string): boolean;
}

const view = (e: OutboxEntry) => ({
  id: e.delivery.deliveryId, channel: e.channel, eventId: e.delivery.eventId, type: e.delivery.type,
  ...(e.delivery.sessionId ? { sessionId: e.delivery.sessionId } : {}), ...(e.delivery.tenantId ? { tenantId: e.delivery.tenantId } : {}),
  at: e.delivery.at, acceptedAt: e.acceptedAt, ...(e.deadAt ? { deadAt: e.deadAt } : {}), attempts: e.attempts,
  ...(e.reason ? { reason: e.reason } : {}), ...(e.lastError ? { lastError: e.lastError } : {}),
  ...(e.lastStatus ? { lastStatus: e.lastStatus } : {}), data: e.delivery.data,
});

/**
 * The dead-letter queue: list, and redeliver one entry. Admin only (the default permission); an
 * admin key of a tenant sees and redelivers only its tenant's entries.
 */
export async function deadLetterRoutes(app: FastifyInstance, deps: DeadLetterDeps): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const visible = (tenantId: string | undefined, e: OutboxEntry) => tenantId === undefined || e.delivery.tenantId === tenantId;

  r.get('/v1/notifications/dead-letter', {
    schema: {
      tags: ['notifications'], summary: 'Deliveries that gave up, oldest first',
      querystring: DeadLetterQuery, response: { 200: DeadLetterPage, 403: ErrorBodySchema },
    },
  }, async (request) => {
    const tenantId = request.principal?.tenantId;
    const all = deps.dead().filter((e) => visible(tenantId, e) && (!request.query.channel || e.channel === request.query.channel));
    const { limit, offset } = request.query;
    return { entries: all.slice(offset, offset + limit).map(view), total: all.length };
  });

  r.post('/v1/notifications/dead-letter/:id/redeliver', {
    schema: {
      tags: ['notifications'], summary: 'Moves a dead letter back to the outbox for a fresh round of attempts',
      params: RedeliverParams, response: { 202: RedeliverReply, 404: ErrorBodySchema, 409: ErrorBodySchema },
    },
  }, async (request, reply) => {
    const entry = deps.get(request.params.id);
    if (entry?.state !== 'dead' || !visible(request.principal?.tenantId, entry)) throw new DeadLetterNotFound(request.params.id);
    if (!deps.hasChannel(entry.channel)) throw new ChannelUnknown(entry.channel);
    await deps.redeliver(entry);
    return reply.status(202).send({ id: entry.delivery.deliveryId, state: 'pending' as const });
  });
}
