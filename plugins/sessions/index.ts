import fp from 'fastify-plugin';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BootError } from '../../kernel/index.js';
import { AgentRunner } from './agent-runtime.js';
import { AgentUserProblem } from './agent-user.js';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { SessionsService } from './api.js';
import type { SessionsOptions } from './schema.js';
import { SessionFiles } from './record-store.js';
import { SessionsRegistry } from './service.js';
import { restoreAll } from './restore.js';
import { sessionRoutes } from './routes.js';
import { protocolRoutes } from './protocol-routes.js';
import { parseDuration, purgeEnded } from './retention.js';
import { SpawnerHost } from './spawner-host.js';
import type { PtyHost } from './pty-host.js';
import './events.js';

export { optionsSchema, type SessionsOptions } from './schema.js';
export type * from './api.js';
export type * from './types.js';
export type * from './driver.js';
export type * from './pty-host.js';
export { agentEnv, checkEnv, nameMatches, BASE_AGENT_ENV, DEFAULT_ENV_DENYLIST, type AgentEnvSpec, type RequestEnvRules } from './env.js';
export { resolveAgentUser, agentCanWrite, AgentUserProblem, type AgentIdentity } from './agent-user.js';
export { SESSION_STATES, PERMISSION_MODES } from './types.js';
export { CreateBody, SendBody, ApproveBody, IdParams, ListQuery, TranscriptQuery } from './route-schemas.js';
export type { AgentsList } from './routes.js';
export { findOnPath, isExecutableFile, packageBin } from './executable.js';
export { pidStartTime, terminateGroup } from './process-group.js';
/** The errors a driver throws for the runtime's own conditions (same codes as the runtime's). */
export { InvalidOption, NoProcess, NoQuestion, NothingPending, SessionExited } from './errors.js';
export { SessionEventSchemas, SessionEventBaseSchema, type SessionEventBase } from './events.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The sessions runtime: registry, actions, and the seams drivers and tenancy extend. */
    sessions: SessionsService;
  }
}

/** The URL base hooks post to: the address actually listened on, read when a driver asks. */
function hookBase(app: FastifyInstance): () => string {
  return () => {
    const addr = app.server.address();
    const listening = addr && typeof addr === 'object' ? addr : undefined;
    const port = listening?.port ?? app.config.server.port;
    const host = !listening || ['0.0.0.0', '::'].includes(listening.address) ? '127.0.0.1'
      : listening.family === 'IPv6' ? `[${listening.address}]` : listening.address;
    return `http://${host}:${port}/v1/hooks`;
  };
}

/**
 * The sessions plugin: agents in PTYs behind a headless terminal, their state machine and events,
 * persistence under `<stateDir>/sessions`, restore after restart, and the REST routes.
 */
async function sessions(app: FastifyInstance, options: SessionsOptions) {
  // The kernel's root logger is pino; fastify only types it as its base logger.
  const log = app.log.child({ plugin: 'sessions' }) as unknown as Logger;
  const files = new SessionFiles(await app.stateDir.dir('sessions'));
  let runner: AgentRunner;
  try {
    runner = new AgentRunner({
      agentUser: options.agentUser,
      runtimeDir: options.agentRuntimeDir ?? join(tmpdir(), `aegis-agents-${process.getuid?.() ?? 'user'}`),
    });
  } catch (err) {
    if (err instanceof AgentUserProblem) throw new BootError('AEGIS_ERR_CONFIG_INVALID', `config: plugins.sessions.agentUser: ${err.message}`);
    throw err;
  }
  const ptyHost: PtyHost = new SpawnerHost({ log: log.child({ component: 'spawner' }), killGraceMs: options.killGraceMs });
  const deps = { events: app.events, options, files, hookBase: hookBase(app), log, runner, ptyHost };
  const registry = new SessionsRegistry(deps);
  app.decorate('sessions', registry as SessionsService);
  app.healthDetails.set('sessions', () => ({ isolation: registry.isolation() }));

  await app.register(sessionRoutes, { service: registry });
  await app.register(protocolRoutes, { service: registry, hookBodyLimit: options.hookBodyLimit, hookFailures: options.hookFailures });

  // Drivers register while plugins load, so the records are only brought back once all are ready.
  // Resuming waits briefly for the server to listen (hooks need its real port); an app that is
  // only injected into never listens, and resumes after that short wait.
  const listening = () => app.server.listening ? Promise.resolve() : new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, options.restoreListenWaitMs);
    app.server.once('listening', () => { clearTimeout(timer); resolve(); });
  });
  app.addHook('onReady', async () => {
    // Said once at boot, after every plugin (tenancy's agent users among them) has registered.
    const { warning } = registry.isolation();
    if (warning) log.warn({ isolation: 'none' }, warning);
  });
  app.addHook('onReady', async () => { registry.restoring = (await restoreAll(registry, deps, listening)).resumed; });

  if (options.retainExited !== undefined) {
    const retainMs = parseDuration(options.retainExited);
    const retention = {
      files, events: app.events, forget: (id: string) => registry.forget(id),
      ended: () => registry.all().filter((s) => !s.live).map((s) => s.record),
    };
    const sweep = () => purgeEnded(retention, retainMs).then((n) => { if (n) log.info({ purged: n }, 'ended sessions past retention removed'); })
      .catch((err) => log.error({ err }, 'retention sweep failed'));
    app.addHook('onReady', async () => { void sweep(); });
    const timer = setInterval(sweep, Math.min(3_600_000, Math.max(60_000, Math.floor(retainMs / 10))));
    timer.unref();
    app.addHook('onClose', async () => clearInterval(timer));
  }

  // Live agents are stopped but keep their status, so the next start resumes them.
  app.addHook('onClose', async () => {
    await registry.restoring;
    const live = registry.all().filter((s) => s.live);
    await Promise.all(live.map((s) => s.shutdown().catch((err) => s.log.error({ err }, 'stopping session failed'))));
    await Promise.all(registry.all().map((s) => s.flush()));
    if (live.length) log.info({ stopped: live.length }, 'sessions stopped for shutdown');
    await ptyHost.close();
  });
}

export default fp(sessions, { name: 'sessions', fastify: '5.x', dependencies: ['auth'] });
