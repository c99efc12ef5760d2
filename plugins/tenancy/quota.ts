import type { Principal } from '../auth/index.js';
import type { QuotaProvider, SessionQuota } from '../sessions/index.js';
import { QuotaExceeded } from './errors.js';

function quota(limit: string, max: number, counts: SessionQuota['counts']): SessionQuota {
  return {
    limit, max, counts,
    refuse: () => Object.assign(new QuotaExceeded(limit, String(max)), { details: { limit, maxSessions: max } }),
  };
}

/**
 * The live-session quotas of a create: the principal's tenant (`limits.<tenant>.maxSessions`) and
 * the key's own `maxSessions`. The master token and tenant-less keys without a limit have none.
 */
export function sessionQuotas(limits: Record<string, { maxSessions?: number }>): QuotaProvider {
  return (principal: Principal | null) => {
    const out: SessionQuota[] = [];
    const tenantId = principal?.tenantId;
    const tenantMax = tenantId !== undefined && Object.hasOwn(limits, tenantId) ? limits[tenantId]!.maxSessions : undefined;
    if (tenantId !== undefined && tenantMax !== undefined) out.push(quota(`tenant:${tenantId}`, tenantMax, (o) => o.tenantId === tenantId));
    if (principal?.maxSessions !== undefined) out.push(quota(`key:${principal.id}`, principal.maxSessions, (o) => o.principalId === principal.id));
    return out;
  };
}
