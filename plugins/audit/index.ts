import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type {} from '../auth/index.js';
import { subscribeAudit } from './events.js';
import { AuditLog } from './log.js';
import { findRecords } from './query.js';
import { auditRoutes } from './routes.js';
import { AUDIT_DIR, KEY_FILE } from './schema.js';
import type { AuditService } from './service.js';
import { verifyChain } from './verify.js';
import { loadOrCreateSecret } from '../../kernel/index.js';
import { WriteFailed } from './errors.js';

export { optionsSchema, type AuditOptions } from './schema.js';
export type { AuditEntry } from './log.js';
export type { AuditRecord } from './chain.js';
export type { VerifyReport, BrokenAt } from './verify.js';
export { verifyStateDir } from './cli.js';
export type { AuditService } from './service.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The audit trail (audit plugin). */
    audit: AuditService;
  }
}

/**
 * Holds each response until the audit records made while handling it are on disk: the bus
 * delivers events synchronously, so anything the request's action caused is queued by onSend.
 * Requests during which nothing was queued do not wait. When a record could not be written, the
 * response becomes 500 AEGIS_ERR_AUDIT_WRITE_FAILED: no action is reported done without its
 * record (the client learns the outcome is unknown and the operator sees the log's error).
 */
function holdResponsesForDurability(app: FastifyInstance, log: AuditLog): void {
  const marks = new WeakMap<FastifyRequest, { accepted: number; failed: number }>();
  app.addHook('onRequest', async (request) => { marks.set(request, { accepted: log.accepted, failed: log.failed }); });
  app.addHook('onSend', async (request, reply, payload) => {
    // No mark means an earlier onRequest hook (authentication) refused it, after queueing its record.
    const mark = marks.get(request) ?? { accepted: -1, failed: log.failed };
    if (log.accepted === mark.accepted) return payload;
    await log.idle();
    if (log.failed === mark.failed) return payload;
    const err = new WriteFailed(request.id);
    reply.code(500).header('content-type', 'application/json; charset=utf-8');
    return JSON.stringify({ code: err.code, message: err.message, requestId: request.id });
  });
}

/**
 * The audit plugin: an append-only JSON-lines log in `<stateDir>/audit/`, one file per UTC day,
 * each record chained to the previous one by HMAC-SHA256 under a key kept in the state directory.
 */
async function audit(app: FastifyInstance) {
  const logger = app.log.child({ plugin: 'audit' }) as unknown as Logger;
  const dir = await app.stateDir.dir(AUDIT_DIR);
  // The same shape as the generated master token; the file is the HMAC key and never leaves the state dir.
  const { secret: key } = await loadOrCreateSecret(app.stateDir.path(KEY_FILE), 'aegis_');
  const log = await AuditLog.open(dir, key, { log: logger });

  const service: AuditService = {
    dir,
    record: async (entry) => { await log.record(entry); },
    idle: () => log.idle(),
    async verify() {
      await log.settled();
      return verifyChain(dir, key, { untilSeq: log.position.seq });
    },
    find: (filter) => findRecords(dir, filter),
  };
  app.decorate('audit', service);
  const unsubscribe = subscribeAudit(app.events, log, logger);
  holdResponsesForDurability(app, log);
  await app.register(auditRoutes, { audit: service });

  app.addHook('onClose', async () => {
    unsubscribe();
    await log.close();
  });
}

export default fp(audit, { name: 'audit', fastify: '5.x', dependencies: ['auth'] });
