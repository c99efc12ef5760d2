import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { BootError } from '../../kernel/index.js';
import type {} from '../auth/index.js';
import type { Principal } from '../auth/index.js';
import type {} from '../sessions/index.js';
import { WorkdirDenied } from './errors.js';
import { canSee, tenancyPolicy } from './policy.js';
import { sessionQuotas } from './quota.js';
import type { TenancyOptions } from './schema.js';
import { checkWorkdir, ruleProblem, type TenantWorkdir } from './workdir.js';

export { optionsSchema, type TenancyOptions, type TenancyDenied } from './schema.js';
export type { TenantWorkdir } from './workdir.js';

/** `app.tenancy`: tenant visibility and workdir rules, for plugins that show or start things. */
export interface TenancyService {
  /** Whether `principal` may see things of `tenantId` (its own tenant, or everything when it has none). */
  canSee(principal: Principal | null, tenantId: string | undefined | null): boolean;
  /** The workdir rule of a tenant, if the config has one. */
  workdirRule(tenantId: string): TenantWorkdir | undefined;
  /** Refuses (403, audited) a workDir the principal's tenant may not use. Master and tenant-less principals pass. */
  checkWorkDir(principal: Principal | null, workDir: string, origin?: 'create' | 'resume' | 'restore'): Promise<void>;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Tenant isolation (tenancy plugin). */
    tenancy: TenancyService;
  }
  interface FastifyRequest {
    /** The caller's tenant, or null for the master token and tenant-less keys. */
    tenant: string | null;
  }
}

/**
 * The tenancy plugin: a key's tenant owns the sessions it creates; other tenants cannot see
 * them; only creators and admins act on them; and each tenant's sessions are kept under its
 * `tenantWorkdirs` root. The workdir rule is a sessions create guard, so it holds for every way a
 * session is created, and each refusal is a `tenancy.denied` event (audited).
 */
async function tenancy(app: FastifyInstance, opts: TenancyOptions) {
  const rules = app.config.tenantWorkdirs as Record<string, TenantWorkdir>;
  for (const [tenantId, rule] of Object.entries(rules)) {
    const problem = ruleProblem(rule);
    if (problem) throw new BootError('AEGIS_ERR_CONFIG_INVALID', `config: tenantWorkdirs.${tenantId}.${problem}`);
  }
  const at = () => new Date().toISOString();

  const service: TenancyService = {
    canSee,
    workdirRule: (tenantId) => (Object.hasOwn(rules, tenantId) ? rules[tenantId] : undefined),
    async checkWorkDir(principal, workDir, origin = 'create') {
      const tenantId = principal?.tenantId;
      if (!principal || principal.kind === 'master' || tenantId === undefined) return;
      const rule = service.workdirRule(tenantId);
      if (!rule) return;
      const verdict = await checkWorkdir(workDir, rule);
      if (!verdict.refusal) return;
      app.events.emit('tenancy.denied', {
        tenantId, principalId: principal.id, attempted: origin === 'restore' ? 'session.restore' : 'session.create', reason: verdict.refusal,
        workDir, resolved: verdict.resolved, at: at(),
      });
      throw new WorkdirDenied(tenantId);
    },
  };
  app.decorate('tenancy', service);
  app.decorateRequest('tenant', null);
  app.addHook('onRequest', async (request) => { request.tenant = request.principal?.tenantId ?? null; });

  app.sessions.addCreateGuard((input) => service.checkWorkDir(input.principal, input.workDir, input.origin));
  app.sessions.addQuota(sessionQuotas(opts.limits));
  // Each tenant's agents as its own OS user: checked now, so a wrong name stops the boot.
  for (const [tenantId, spec] of Object.entries(opts.agentUsers)) {
    try {
      app.sessions.checkAgentUser(spec);
    } catch (err) {
      throw new BootError('AEGIS_ERR_CONFIG_INVALID', `config: plugins.tenancy.agentUsers.${tenantId}: ${(err as Error).message}`);
    }
  }
  if (Object.keys(opts.agentUsers).length) {
    app.sessions.addAgentUser((owner) => (owner.tenantId !== undefined && Object.hasOwn(opts.agentUsers, owner.tenantId) ? opts.agentUsers[owner.tenantId] : undefined));
  }
  app.sessions.addAccessPolicy(tenancyPolicy(opts, (principal, sessionId, tenantId) => {
    app.events.emit('tenancy.denied', {
      ...(tenantId !== undefined ? { tenantId } : {}), principalId: principal.id, attempted: 'session.act', reason: 'not-owner', sessionId, at: at(),
    });
  }));
}

export default fp(tenancy, { name: 'tenancy', fastify: '5.x', dependencies: ['auth', 'sessions'] });
