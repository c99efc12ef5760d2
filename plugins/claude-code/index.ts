import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { resolveConfigPath } from '../../kernel/index.js';
import type {} from '../sessions/index.js';
import { createClaudeDriver } from './driver.js';
import type { ClaudeCodeOptions } from './schema.js';

export { optionsSchema, envOptions, type ClaudeCodeOptions } from './schema.js';

/** Registers the `claude-code` agent driver (the Claude Code CLI in a PTY) with the sessions plugin. */
async function claudeCode(app: FastifyInstance, opts: ClaudeCodeOptions) {
  app.sessions.addAgent(createClaudeDriver({ ...opts, claudeDataDir: resolveConfigPath(app.config, opts.dataDir) }));
}

export default fp(claudeCode, { name: 'claude-code', fastify: '5.x', dependencies: ['sessions'] });
