import type { Catalogue } from '../kernel/index.js';

/**
 * The plugin catalogue: every first-party plugin by name, loaded lazily. The kernel never imports
 * a plugin by path; it resolves names here (or a third-party module named in the config).
 */
export const catalogue: Catalogue = {
  // First (catalogue order is boot order), so their hooks see every route the others add.
  tracing: { load: () => import('./tracing/index.js'), enabledByDefault: false, enableEnv: 'AEGIS_OTEL_ENABLED', description: 'OpenTelemetry traces over OTLP/HTTP (start with the preload: node --import dist/plugins/tracing/preload.js)' },
  metrics: { load: () => import('./metrics/index.js'), enabledByDefault: false, description: 'Prometheus metrics at GET /metrics' },
  openapi: { load: () => import('./openapi/index.js'), enabledByDefault: true, description: 'OpenAPI document at /v1/openapi.json' },
  auth: { load: () => import('./auth/index.js'), enabledByDefault: true, description: 'Authentication and authorisation: master token, API keys, roles, permissions, rate limits' },
  sessions: { load: () => import('./sessions/index.js'), enabledByDefault: true, description: 'Agent sessions: PTY runtime, state machine, persistence, REST routes' },
  command: { load: () => import('./command/index.js'), enabledByDefault: true, description: 'Generic command agent driver (any CLI in a PTY)' },
  'claude-code': { load: () => import('./claude-code/index.js'), enabledByDefault: true, description: 'Claude Code agent driver (the interactive CLI in a PTY, with hooks and resume)' },
  tenancy: { load: () => import('./tenancy/index.js'), enabledByDefault: true, description: 'Tenant isolation: session visibility, ownership, workdir roots' },
  audit: { load: () => import('./audit/index.js'), enabledByDefault: true, description: 'Tamper-evident audit log (HMAC chain) at GET /v1/audit' },
  sse: { load: () => import('./sse/index.js'), enabledByDefault: true, description: 'Server-Sent Events: GET /v1/events and /v1/sessions/:id/events, resumable, per-tenant' },
  terminal: { load: () => import('./terminal/index.js'), enabledByDefault: true, description: 'Live session terminal over WebSocket at /v1/sessions/:id/terminal' },
  dashboard: { load: () => import('./dashboard/index.js'), enabledByDefault: true, description: 'Web dashboard at /dashboard/ (static files under a strict CSP)' },
  acp: { load: () => import('./acp/index.js'), enabledByDefault: true, description: 'ACP runtime: agents over the Agent Client Protocol (claude-acp and any configured ACP command)' },
  notifications: { load: () => import('./notifications/index.js'), enabledByDefault: false, description: 'Notification channels: registry, durable outbox, retries, circuit breaker, dead-letter queue, outbound scrubber' },
  'notify-webhook': { load: () => import('./notify-webhook/index.js'), enabledByDefault: false, description: 'Signed JSON webhooks to configured endpoints' },
  'notify-slack': { load: () => import('./notify-slack/index.js'), enabledByDefault: false, description: 'Slack Block Kit messages with Approve/Reject buttons' },
  'notify-discord': { load: () => import('./notify-discord/index.js'), enabledByDefault: false, description: 'Discord embeds with Approve/Reject buttons' },
};
