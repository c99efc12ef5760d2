import { defineError } from '../../kernel/index.js';

/** The workDir resolves outside the tenant's root, or into a subdirectory not in `allowedPaths`. */
export const WorkdirDenied = defineError('AEGIS_ERR_TENANCY_WORKDIR_DENIED', 'workDir is outside the directories tenant %s may use', 403);
