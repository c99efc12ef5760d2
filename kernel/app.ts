import Fastify, { type FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { randomUUID } from 'node:crypto';
import pino, { type Logger } from 'pino';
import './types.js';
import type { AegisConfig } from './config/schema.js';
import { MAX_PARAM_LENGTH, frameworkErrorHandler, installErrorHandlers } from './errors.js';
import { EventBus } from './events.js';
import { loggerOptions } from './logger.js';
import { AccessLog, installAccessLog } from './access-log.js';
import { Lifecycle, installDrainHooks } from './lifecycle.js';
import { ensureStateDir, stateDirHandle } from './state-dir.js';
import { finiteValidatorFactory } from './finite-numbers.js';
import { lazySerializers, lazyValidators } from './lazy-compile.js';
import { clientErrorHandler } from './client-errors.js';
import { registerHealth } from './health.js';
import { resolvePlugins } from './plugins/resolve.js';
import type { Catalogue } from './plugins/types.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export interface BuildOptions {
  /** The plugin catalogue; the real one unless a test passes its own. */
  catalogue: Catalogue;
  /** The root logger; built at the config's `logLevel` when absent. */
  logger?: Logger;
}

/**
 * Builds the server: kernel decorators, request ids, error shape, drain hooks, health, then every
 * selected plugin in dependency order. Resolves once all plugins are ready; does not listen.
 */
export async function buildApp(config: AegisConfig, opts: BuildOptions): Promise<FastifyInstance> {
  const logger = opts.logger ?? pino(loggerOptions(config.logLevel));
  const accessLog = new AccessLog();
  await ensureStateDir(config.stateDir);
  const plugins = await resolvePlugins(config, opts.catalogue);
  const app = Fastify({
    loggerInstance: logger,
    logController: accessLog,
    bodyLimit: config.server.bodyLimit,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    forceCloseConnections: 'idle',
    // A hop count is valid at run time (proxy-addr); fastify's types list only the other forms.
    trustProxy: config.server.trustProxy as boolean | string[],
    return503OnClosing: true,
    // Router-level failures (bad percent-encoding, over-long params) go through our error handler.
    frameworkErrors: frameworkErrorHandler(config.server.bodyLimit, MAX_PARAM_LENGTH),
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    clientErrorHandler,
    schemaController: { compilersFactory: { buildValidator: lazyValidators(() => finiteValidatorFactory() as never) as never, buildSerializer: lazySerializers() as never } },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as FastifyInstance;

  const lifecycle = new Lifecycle();
  app.decorate('config', config);
  app.decorate('events', new EventBus(logger.child({ component: 'events' })));
  app.decorate('stateDir', stateDirHandle(config.stateDir));
  app.decorate('lifecycle', lifecycle);
  app.decorate('healthDetails', new Map<string, () => unknown>());
  app.addHook('onSend', async (request, reply) => { reply.header('x-request-id', request.id); });
  installErrorHandlers(app);
  installAccessLog(app, accessLog);
  installDrainHooks(app, lifecycle);
  for (const p of plugins) app.register(p.plugin, p.options);
  app.after(() => registerHealth(app));
  await app.ready();
  app.log.info({ plugins: plugins.map((p) => p.name) }, 'plugins ready');
  return app;
}
