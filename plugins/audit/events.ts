import type { Logger } from 'pino';
import type { AegisEvents, EventBus } from '../../kernel/events.js';
import type {} from '../auth/index.js';
import type { KeyEventT } from '../auth/schema.js';
import type {} from '../sessions/events.js';
import type {} from '../tenancy/schema.js';
import type { AuditEntry, AuditLog } from './log.js';

type Mapper<K extends keyof AegisEvents> = (p: AegisEvents[K]) => AuditEntry;
type Mappers = { [K in keyof AegisEvents]?: Mapper<K> };

const tenant = (t: string | undefined) => t ?? null;

const keyEntry = (action: string) => (p: KeyEventT): AuditEntry => ({
  actor: p.actorId, tenantId: tenant(p.tenantId ?? p.actorTenantId), action,
  detail: { keyId: p.keyId, name: p.name, role: p.role, ...(p.graceSeconds !== undefined ? { graceSeconds: p.graceSeconds } : {}) },
});

/**
 * Which bus events become audit records, and how. Message texts and answers are never recorded,
 * only that they happened; tokens never reach these events in the first place.
 */
export const AUDITED: Mappers = {
  'session.created': (p) => ({
    actor: p.ownerId, tenantId: tenant(p.tenantId), action: 'session.created', sessionId: p.sessionId,
    detail: {
      agent: p.agent, workDir: p.workDir, permissionMode: p.permissionMode, envNames: p.envNames,
      ...(p.name !== undefined ? { name: p.name } : {}), ...(p.agentUser !== undefined ? { agentUser: p.agentUser } : {}),
    },
  }),
  'session.start-failed': (p) => ({
    actor: 'system', tenantId: tenant(p.tenantId), action: 'session.start-failed', sessionId: p.sessionId, detail: { code: p.code, reason: p.reason },
  }),
  'session.killed': (p) => ({ actor: p.actorId ?? 'system', tenantId: tenant(p.tenantId), action: 'session.killed', sessionId: p.sessionId, detail: {} }),
  'session.message-sent': (p) => ({
    actor: p.actorId ?? 'system', tenantId: tenant(p.tenantId), action: 'session.message-sent', sessionId: p.sessionId,
    detail: { delivered: p.delivered, attempts: p.attempts },
  }),
  'permission.resolved': (p) => ({
    actor: p.actorId ?? 'system', tenantId: tenant(p.tenantId), action: `permission.${p.decision}`, sessionId: p.sessionId,
    detail: p.option !== undefined ? { option: p.option } : {},
  }),
  'question.answered': (p) => ({
    actor: p.actorId ?? 'system', tenantId: tenant(p.tenantId), action: 'question.answered', sessionId: p.sessionId,
    detail: p.option !== undefined ? { option: p.option } : { text: true },
  }),
  'tenancy.denied': (p) => ({
    actor: p.principalId, tenantId: tenant(p.tenantId), action: 'session.action.denied',
    ...(p.sessionId !== undefined ? { sessionId: p.sessionId } : {}),
    detail: { attempted: p.attempted, reason: p.reason, ...(p.workDir !== undefined ? { workDir: p.workDir, resolved: p.resolved } : {}) },
  }),
  'auth.failed': (p) => ({
    actor: 'anonymous', tenantId: null, action: 'auth.failed',
    detail: { ip: p.ip, method: p.method, url: p.url, code: p.code, reason: p.reason, keyId: p.keyId },
  }),
  'auth.denied': (p) => ({
    actor: p.principalId, tenantId: tenant(p.tenantId), action: 'auth.denied', detail: { permission: p.permission, method: p.method, url: p.url },
  }),
  'auth.throttled': (p) => ({ actor: 'anonymous', tenantId: null, action: 'auth.throttled', detail: { ip: p.ip, failures: p.failures, until: p.until } }),
  'hook.rejected': (p) => ({
    actor: 'anonymous', tenantId: null, action: p.reason === 'throttled' ? 'hook.throttled' : 'hook.rejected',
    detail: { ip: p.ip, claimedSessionId: p.sessionId, reason: p.reason, failures: p.failures },
  }),
  'auth.key-created': keyEntry('auth.key.created'),
  'auth.key-revoked': keyEntry('auth.key.revoked'),
  'auth.key-rotated': keyEntry('auth.key.rotated'),
};

/**
 * Subscribes the log to every audited event. A write that fails is logged; the action it
 * describes already happened and is not undone. Returns the unsubscribe function.
 */
export function subscribeAudit(bus: EventBus, log: AuditLog, logger: Logger): () => void {
  const offs = (Object.keys(AUDITED) as Array<keyof AegisEvents>).map((name) => bus.on(name, (payload) => {
    const entry = (AUDITED[name] as Mapper<typeof name>)(payload);
    log.record(entry).catch((err) => logger.error({ err, event: name }, 'audit: an event could not be recorded'));
  }));
  return () => { for (const off of offs) off(); };
}
