import type { AegisConfig } from './config/schema.js';
import type { EventBus } from './events.js';
import type { Lifecycle } from './lifecycle.js';
import type { HealthService } from './health.js';
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
    /** What `GET /v1/health` adds for an authenticated caller. */
    health: HealthService;
  }
  interface FastifyContextConfig {
    /** `false` opens the route without a token (health, dashboard assets). */
    auth?: boolean;
    /** `'allow'` keeps the route answering while the server drains. */
    drain?: 'allow';
  }
}
