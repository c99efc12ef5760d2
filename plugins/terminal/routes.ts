import type { FastifyInstance } from 'fastify';
import websocket from '@fastify/websocket';
import type { Logger } from 'pino';
import { TerminalParams, TerminalQuery, type TerminalOptions } from './schema.js';
import { TerminalConnection, type TerminalVerifier } from './socket.js';
import { FailureWindow } from './throttle.js';
import { TerminalUpgradeRequired } from './errors.js';

/**
 * `GET /v1/sessions/:id/terminal`, upgraded to a WebSocket. The route skips the HTTP guard
 * (`auth: false`): browsers cannot set headers on a WebSocket, so the token comes in-band as the
 * first frame, or as a short-lived stream token in the query. An API key never goes in a URL.
 */
export async function terminalRoutes(app: FastifyInstance, opts: { options: TerminalOptions; verify: TerminalVerifier; log: Logger }) {
  await app.register(websocket, { options: { maxPayload: opts.options.maxMessageBytes } });
  const failures = new FailureWindow(opts.options.failureLimit, opts.options.failureWindowMs);
  app.route<{ Params: { id: string }; Querystring: { token?: string } }>({
    method: 'GET',
    url: '/v1/sessions/:id/terminal',
    config: { auth: false },
    schema: {
      tags: ['sessions'], summary: 'Live terminal over WebSocket (auth: first frame or stream token)',
      params: TerminalParams, querystring: TerminalQuery,
    },
    // A plain GET (no Upgrade header) gets a coded answer instead of an empty 404.
    handler: async () => { throw new TerminalUpgradeRequired(); },
    wsHandler: (socket, request) => {
    const conn = new TerminalConnection(
      app, socket, request.params.id, opts.options, opts.verify,
      { ip: request.ip, url: request.url.split('?')[0]! }, failures, opts.log,
    );
    conn.start(request.query.token);
    },
  });
}
