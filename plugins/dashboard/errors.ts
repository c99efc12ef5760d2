import { defineError } from '../../kernel/index.js';

/** The dashboard bundle has not been built (`npm run build`). */
export const DashboardNotBuilt = defineError('AEGIS_ERR_DASHBOARD_NOT_BUILT', 'The dashboard is not built; run npm run build (looked in %s)', 503);
