import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { resolveConfigPath } from '../../kernel/index.js';
import { agentEnv } from '../sessions/index.js';
import { createClaudeDriver } from './driver.js';
import { resolveClaude } from './launch.js';
import type { ClaudeCodeOptions } from './schema.js';
import { rangeOf, readClaudeVersion, TESTED_RANGE, type ClaudeFound } from './version.js';

export { optionsSchema, envOptions, type ClaudeCodeOptions } from './schema.js';
export { resolveClaude } from './launch.js';
export { TESTED_RANGE } from './version.js';

/**
 * Registers the `claude-code` agent driver (the Claude Code CLI in a PTY) with the sessions plugin,
 * and looks up, once the server is ready, which CLI it would run and its version: shown in the
 * authenticated detail of `GET /v1/health`, with a logged warning when it is outside the tested
 * range (a newer one still runs).
 */
async function claudeCode(app: FastifyInstance, opts: ClaudeCodeOptions) {
  const log = app.log.child({ plugin: 'claude-code' });
  app.sessions.addAgent(createClaudeDriver({ ...opts, claudeDataDir: resolveConfigPath(app.config, opts.dataDir) }));
  const tested = `${TESTED_RANGE.oldest} - ${TESTED_RANGE.newest}`;
  let found: ClaudeFound = { tested, range: 'unknown' };
  app.healthDetails.set('claudeCode', () => found);
  app.addHook('onReady', async () => {
    // Not awaited: a slow or missing CLI must not hold the server's start.
    void (async () => {
      try {
        const command = resolveClaude(opts.command, agentEnv({ pass: [] }, opts.env).PATH ?? '');
        const version = await readClaudeVersion(command);
        found = { command, ...(version ? { version } : {}), tested, range: rangeOf(version) };
        if (found.range === 'newer') log.warn({ command, version, tested }, 'Claude Code is newer than the tested range; it runs, but report any screen it misreads');
        else if (found.range === 'older') log.warn({ command, version, tested }, 'Claude Code is older than the oldest supported release');
        else log.info({ command, version }, 'Claude Code found');
      } catch (err) {
        found = { tested, range: 'unknown', error: (err as Error).message };
        log.warn({ err: (err as Error).message }, 'Claude Code not usable yet');
      }
    })();
  });
}

export default fp(claudeCode, { name: 'claude-code', fastify: '5.x', dependencies: ['sessions'] });
