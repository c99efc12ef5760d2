import type { Catalogue } from '../kernel/plugins/types.js';

/**
 * The plugin catalogue: every first-party plugin by name, loaded lazily. The kernel never imports
 * a plugin by path; it resolves names here (or a third-party module named in the config).
 */
export const catalogue: Catalogue = {
  openapi: { load: () => import('./openapi/index.js'), enabledByDefault: true, description: 'OpenAPI document at /v1/openapi.json' },
  auth: { load: () => import('./auth/index.js'), enabledByDefault: true, description: 'Bearer-token authentication' },
  sessions: { load: () => import('./sessions/index.js'), enabledByDefault: true, description: 'Agent sessions: PTY runtime, state machine, persistence, REST routes' },
  command: { load: () => import('./command/index.js'), enabledByDefault: true, description: 'Generic command agent driver (any CLI in a PTY)' },
};
