import type { FastifyInstance } from 'fastify';
import type { Instruments } from './instruments.js';

/** Observes every response's duration by method, route template (`unmatched` for a 404) and status. */
export function observeRequests(app: FastifyInstance, m: Instruments): void {
  app.addHook('onResponse', (request, reply, done) => {
    m.httpDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    done();
  });
}
