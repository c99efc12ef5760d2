import type { Command } from 'commander';

/** `ag` / `ag serve`: starts the server in this process. */
export function registerServe(program: Command): void {
  program.command('serve')
    .description('start the Aegis server (the default command)')
    .option('-c, --config <file>', 'config file (default: searched from the working directory, then ~/.aegis/config.yaml)')
    .action(async (opts: { config?: string }) => {
      // Tracing first, before fastify and http load (see plugins/tracing/preload.ts); loaded only
      // here, like the rest, so client commands do not pay for the server's start-up.
      await import('../../../plugins/tracing/preload.js');
      const [{ main }, { catalogue }] = await Promise.all([import('../../../kernel/main.js'), import('../../../plugins/index.js')]);
      await main({ argv: opts.config ? ['--config', opts.config] : [], catalogue });
    });
}
