/**
 * The tracing preload: `node --import ./dist/plugins/tracing/preload.js dist/server.js`. The
 * server entry and `ag` import it first, before anything else is loaded, so the same happens
 * without the flag. It decides exactly as the boot will (the config file's `plugins.tracing`,
 * AEGIS_OTEL_ENABLED and the other AEGIS_OTEL_* variables) and, when tracing is on, starts the
 * OpenTelemetry SDK before fastify and `http` are loaded. When it is off it loads nothing of the
 * SDK. A config that does not load is left for the boot to report in its own words.
 */
import { earlyPluginOptions } from '../../kernel/index.js';
import { catalogue } from '../index.js';
import { startTracing } from './start.js';
import type { TracingOptions } from './schema.js';

async function preload(): Promise<void> {
  let opts: Record<string, unknown> | undefined;
  try {
    opts = await earlyPluginOptions('tracing', catalogue.tracing, process.argv.slice(2));
  } catch {
    return;
  }
  if (!opts) return;
  try {
    await startTracing(opts as TracingOptions);
  } catch (err) {
    process.stderr.write(`aegis: tracing could not start: ${(err as Error).message.split('\n')[0]}\n`);
  }
}

await preload();
