import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { installServerSpans } from './server-spans.js';
import { startTracing } from './start.js';
import { tracingRuntime } from './runtime.js';
import type { TracingOptions } from './schema.js';

export { optionsSchema, envOptions, type TracingOptions } from './schema.js';
export { tracingRuntime, type TracingRuntime } from './runtime.js';

/**
 * The tracing plugin: a SERVER span for every request, and the OpenTelemetry SDK's shutdown (a
 * last export) when the server closes. The SDK itself is started by the preload, before fastify
 * loads; if the preload was not used the plugin starts it here, and logs then carry no trace ids
 * (the root logger was built without the mixin).
 */
async function tracing(app: FastifyInstance, opts: TracingOptions) {
  const log = app.log.child({ plugin: 'tracing' });
  let runtime = tracingRuntime();
  if (!runtime) {
    runtime = await startTracing(opts);
    log.warn('tracing started without the preload: log records carry no trace ids (start with node --import dist/plugins/tracing/preload.js)');
  }
  installServerSpans(app);
  const started = runtime;
  app.addHook('onClose', async () => {
    await started.shutdown().catch((err: unknown) => log.warn({ err }, 'exporting the last spans failed'));
  });
  log.info({ url: runtime.url, sampleRate: opts.sampleRate, serviceName: opts.serviceName }, 'tracing on');
}

export default fp(tracing, { name: 'tracing', fastify: '5.x' });
