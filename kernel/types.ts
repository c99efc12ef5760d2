import type { AegisConfig } from './config/schema.js';
import type { EventBus } from './events.js';
import type { Lifecycle } from './lifecycle.js';
import type { StateDir } from './state-dir.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The validated configuration. */
    config: AegisConfig;
    /** The typed event bus. */
    events: EventBus;
    /** The state directory and its helpers. */
    stateDir: StateDir;
    /** Draining state, uptime and in-flight count. */
    lifecycle: Lifecycle;
    /** Named parts of `GET /v1/health`'s detail, shown to authenticated callers only (see health.ts). */
    healthDetails: Map<string, () => unknown>;
  }
  interface FastifyContextConfig {
    /**
     * `false` opens the route without a token (dashboard assets); `'optional'` opens it too, but a
     * request that brings a token is authenticated as usual (health's detail for operators).
     */
    auth?: boolean | 'optional';
    /** `'allow'` keeps the route answering while the server drains. */
    drain?: 'allow';
    /**
     * Level of the route's access line (default `info`): `debug` for routes machines poll
     * (health, metrics), so they do not fill the log. A 5xx answer is logged as a warning anyway.
     */
    accessLog?: 'debug' | 'info';
  }
}
