import type { FastifyInstance } from 'fastify';
import { loadConfig } from './config/load.js';
import { BootError } from './errors.js';
import { buildApp } from './app.js';
import { createRootLogger } from './logger.js';
import { createShutdown } from './lifecycle.js';
import { flagValue } from './flags.js';
import type { Catalogue } from './plugins/types.js';

export interface MainOptions {
  argv: string[];
  catalogue: Catalogue;
}


/**
 * Boots the server process: config, plugins, listen, signal handling. A boot problem prints one
 * line (`aegis: <message> [<code>]`) and exits 2; never a stack trace.
 */
export async function main(opts: MainOptions): Promise<void> {
  let app: FastifyInstance | undefined;
  try {
    const config = await loadConfig({ configPath: flagValue(opts.argv, '--config', '-c') || undefined });
    // Built after the config so a bad AEGIS_LOG_LEVEL is a boot error, not a throw inside pino.
    const logger = await createRootLogger(config.logLevel, config.logFormat);
    app = await buildApp(config, { catalogue: opts.catalogue, logger });
    const shutdown = createShutdown(app, app.lifecycle, {
      graceMs: config.server.shutdownGraceMs,
      hardMs: config.server.shutdownHardMs,
      exit: (code) => {
        // A log sink that is gone (a closed pipe) must not keep the process alive.
        try { logger.flush(); } catch { /* exiting anyway */ }
        process.exit(code);
      },
    });
    process.on('SIGTERM', () => void shutdown('SIGTERM'));
    process.on('SIGINT', () => void shutdown('SIGINT'));
    await app.listen({ host: config.server.host, port: config.server.port });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.server.port;
    app.log.info({ host: config.server.host, port, stateDir: config.stateDir, config: config.source ?? null }, 'aegis listening');
  } catch (err) {
    if (err instanceof BootError) {
      process.stderr.write(`aegis: ${err.message} [${err.code}]\n`);
      process.exit(2);
    }
    const e = err as NodeJS.ErrnoException;
    const line = e.code === 'EADDRINUSE' ? `the port is already in use (${e.message})` : e.message?.split('\n')[0] ?? String(err);
    process.stderr.write(`aegis: failed to start: ${line} [${e.code ?? 'AEGIS_ERR_BOOT'}]\n`);
    await app?.close().catch(() => {});
    process.exit(1);
  }
}
