import type { Logger } from 'pino';
import type { AegisEvents, EventBus } from '../../kernel/index.js';
import type {} from '../auth/index.js';
import type { KeyEventT } from '../auth/index.js';
import type {} from '../sessions/index.js';
import type {} from '../tenancy/index.js';
import type {} from '../acp/index.js';
import type { AuditEntry, AuditLog } from './log.js';
import { FailureAggregator } from './aggregate.js';

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
  'acp.file-written': (p) => ({
    actor: 'agent', tenantId: tenant(p.tenantId), action: 'agent.file.written', sessionId: p.sessionId, detail: { path: p.path, bytes: p.bytes },
  }),
  'acp.terminal-started': (p) => ({
    actor: 'agent', tenantId: tenant(p.tenantId), action: 'agent.command.started', sessionId: p.sessionId, detail: { command: p.command, args: p.args, cwd: p.cwd },
  }),
  'session.purged': (p) => ({
    actor: 'system', tenantId: tenant(p.tenantId), action: 'session.purged', sessionId: p.sessionId, detail: { endedAt: p.endedAt },
  }),
  'session.start-failed': (p) => ({
    actor: 'system', tenantId: tenant(p.tenantId), action: 'session.start-failed', sessionId: p.sessionId, detail: { code: p.code, reason: p.reason },
  }),
  'session.reused': (p) => ({
    actor: p.actorId ?? 'system', tenantId: tenant(p.tenantId), action: 'session.reused', sessionId: p.sessionId, detail: { prompted: p.prompted },
  }),
  'session.interrupted': (p) => ({
    actor: p.actorId ?? 'system', tenantId: tenant(p.tenantId), action: `session.${p.key}`, sessionId: p.sessionId, detail: {},
  }),
  'session.transcript-read': (p) => ({
    actor: p.actorId ?? 'system', tenantId: tenant(p.tenantId), action: 'session.transcript.read', sessionId: p.sessionId, detail: {},
  }),
  // Filed under no tenant: only principals of no tenant (operators of the server) see who probed
  // which id; neither the prober's nor the owner's tenant learns anything from the trail.
  'session.lookup-hidden': (p) => ({
    actor: p.principalId, tenantId: null, action: 'session.lookup.denied',
    detail: { attempted: p.action, claimedSessionId: p.sessionId, principalTenantId: p.tenantId ?? null },
  }),
  'audit.read': (p) => ({
    actor: p.actorId, tenantId: tenant(p.tenantId), action: p.verify ? 'audit.verified' : p.format === 'json' ? 'audit.read' : 'audit.exported',
    detail: { format: p.format, filter: p.filter },
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

/** Window over which repeated failed logins from one address become one counted record. */
const FAILURE_WINDOW_MS = 60_000;

/**
 * Subscribes the log to every audited event; failed logins go through the aggregator. A write
 * that fails is logged here, and the request that caused it answers 500 (see index.ts).
 * Returns the unsubscribe function, which also writes the counts of open windows.
 */
export function subscribeAudit(bus: EventBus, log: AuditLog, logger: Logger): () => void {
  const write = (entry: AuditEntry) => {
    log.record(entry).catch((err) => logger.error({ err, action: entry.action }, 'audit: an event could not be recorded'));
  };
  const failures = new FailureAggregator(FAILURE_WINDOW_MS, write);
  const sweep = setInterval(() => failures.flush(), FAILURE_WINDOW_MS);
  sweep.unref();
  const offs = (Object.keys(AUDITED) as Array<keyof AegisEvents>).map((name) => bus.on(name, (payload) => {
    const entry = (AUDITED[name] as Mapper<typeof name>)(payload);
    if (name === 'auth.failed') failures.add(String(entry.detail?.ip), entry);
    else write(entry);
  }));
  return () => {
    clearInterval(sweep);
    for (const off of offs) off();
    failures.flush(true);
  };
}

declare module '../../kernel/events.js' {
  interface AegisEvents {
    /** Audit records were read, exported or verified (`GET /v1/audit`). */
    'audit.read': { actorId: string; tenantId?: string; format: string; verify: boolean; filter: Record<string, unknown>; at: string };
  }
}
