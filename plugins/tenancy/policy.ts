import type { Principal } from '../auth/index.js';
import type { AccessPolicy } from '../sessions/index.js';

/**
 * The tenancy access policy for sessions. A principal of a tenant never sees another tenant's
 * sessions (they answer 404, like unknown ids). Reading is open within what one sees; acting is
 * for the session's creator and admins, or every operator of the tenant with `sameTenantCanAct`.
 * The master token is not judged. `onDenied` hears about each refused action.
 */
export function tenancyPolicy(
  opts: { sameTenantCanAct: boolean },
  onDenied: (principal: Principal, sessionId: string, tenantId: string | undefined) => void,
): AccessPolicy {
  return (principal, record, action) => {
    if (!principal || principal.kind === 'master') return undefined;
    if (principal.tenantId !== undefined && record.owner.tenantId !== principal.tenantId) return 'hide';
    if (action === 'read') return 'allow';
    if (principal.role === 'admin' || record.owner.principalId === principal.id) return 'allow';
    if (opts.sameTenantCanAct && record.owner.tenantId === principal.tenantId) return 'allow';
    onDenied(principal, record.id, record.owner.tenantId);
    return 'deny';
  };
}

/** Whether `principal` may see things of `tenantId` (events, streams, metrics): its own tenant, or all when it has none. */
export function canSee(principal: Principal | null, tenantId: string | undefined | null): boolean {
  if (!principal) return false;
  return principal.tenantId === undefined || principal.tenantId === (tenantId ?? undefined);
}
