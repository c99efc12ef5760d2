import { defineError } from '../../kernel/index.js';

/** The workDir resolves outside the tenant's root, or into a subdirectory not in `allowedPaths`. */
export const WorkdirDenied = defineError('AEGIS_ERR_TENANCY_WORKDIR_DENIED', 'workDir is outside the directories tenant %s may use', 403);
/** A create over a tenant's or a key's `maxSessions`; `details` names the limit and its maximum. */
export const QuotaExceeded = defineError('AEGIS_ERR_TENANCY_QUOTA', 'Session limit %s reached (at most %s live sessions)', 429);
