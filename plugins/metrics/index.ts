import fp from 'fastify-plugin';
import { Registry } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import { createInstruments } from './instruments.js';
import { feedFromBus } from './feed.js';
import { observeRequests } from './http.js';
import { metricsRoute } from './routes.js';
import type { MetricsOptions } from './schema.js';

export { optionsSchema, type MetricsOptions } from './schema.js';
export { MetricsTokenInvalid } from './errors.js';

/**
 * The metrics plugin: `GET /metrics` in the Prometheus text format, from a registry of its own.
 * Sessions, agent processes and approvals waiting are read at scrape time; state changes,
 * permission waits, deliveries and channel outcomes come from the bus; request durations from an
 * onResponse hook on every route. Per-session figures stay at `GET /v1/sessions/:id/metrics`.
 */
async function metrics(app: FastifyInstance, opts: MetricsOptions) {
  const register = new Registry();
  const m = createInstruments(app, register, opts.processMetrics);
  const unfeed = feedFromBus(app, m);
  observeRequests(app, m);
  metricsRoute(app, register, opts.token);
  app.addHook('onClose', async () => { unfeed(); register.clear(); });
}

export default fp(metrics, { name: 'metrics', fastify: '5.x' });
