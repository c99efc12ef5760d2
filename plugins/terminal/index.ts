import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type {} from '../auth/index.js';
import type {} from '../sessions/index.js';
import type { TerminalOptions } from './schema.js';
import { terminalRoutes } from './routes.js';
import type { TerminalVerifier } from './socket.js';

export { optionsSchema, ClientFrame, ServerFrame, type TerminalOptions, type ClientFrameT, type ServerFrameT } from './schema.js';

/**
 * The terminal plugin: a session's live terminal over a WebSocket at
 * `/v1/sessions/:id/terminal`, for the dashboard and any other client.
 */
async function terminal(app: FastifyInstance, options: TerminalOptions) {
  const log = app.log.child({ plugin: 'terminal' }) as unknown as Logger;
  // A query token must be a stream token: API tokens in URLs end up in logs and histories. The
  // first frame may carry either.
  const verify: TerminalVerifier = async (token, via) => {
    const stream = app.auth.verifyStreamToken(token, 'terminal');
    if (stream || via === 'query') return stream;
    return app.auth.verify(token);
  };
  await app.register(terminalRoutes, { options, verify, log });
}

export default fp(terminal, { name: 'terminal', fastify: '5.x', dependencies: ['auth', 'sessions'] });
