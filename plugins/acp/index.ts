import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type {} from '../sessions/index.js';
import { claudeAgent } from './claude.js';
import { createAcpDriver } from './driver.js';
import { genericAgent } from './program.js';
import type { AcpOptions } from './schema.js';

export { optionsSchema, type AcpOptions } from './schema.js';
export { claudeAgentBin } from './claude.js';
export type {} from './events.js';

/**
 * The ACP runtime: agents driven over the Agent Client Protocol (JSON-RPC on stdio). Registers
 * `claude-acp` (unless `claude.enabled` is false) and `acp` with the sessions plugin.
 */
async function acp(app: FastifyInstance, opts: AcpOptions) {
  const closing = { closed: false };
  const conv = { ...opts, closing, events: app.events };
  // Registered after sessions, so this runs before it stops the sessions: no agent starts after.
  app.addHook('onClose', async () => { closing.closed = true; });
  if (opts.claude.enabled) app.sessions.addAgent(createAcpDriver(claudeAgent(opts), conv));
  app.sessions.addAgent(createAcpDriver(genericAgent(opts), conv));
}

export default fp(acp, { name: 'acp', fastify: '5.x', dependencies: ['sessions'] });
export { acpRequestCounts, type RequestOutcome } from './request-counts.js';
