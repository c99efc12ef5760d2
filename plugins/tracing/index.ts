import fp from 'fastify-plugin';
import { diag, DiagLogLevel } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';
import { installServerSpans } from './server-spans.js';
import { startTracing } from './start.js';
import { tracingRuntime } from './runtime.js';
import type { TracingOptions } from './schema.js';

export { optionsSchema, envOptions, type TracingOptions } from './schema.js';
export { tracingRuntime, type TracingRuntime } from './runtime.js';

/** The fields of a session record a span reads. */
interface SessionLike { agent: string; permissionMode: string; owner?: { tenantId?: string } }

/** The SDK reports some errors as a JSON-serialised error; its message is what a reader needs. */
function diagMessage(msg: string): string {
  if (!msg.startsWith('{')) return msg;
  try {
    const e = JSON.parse(msg) as { message?: unknown };
    return typeof e.message === 'string' ? `OpenTelemetry: ${e.message}` : msg;
  } catch {
    return msg;
  }
}

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
  // The SDK's own troubles (a collector that is down, a refused export) go to our log, not nowhere.
  const otel = log.child({ component: 'opentelemetry' });
  const say = (msg: string, args: unknown[]) => otel.warn({ detail: args.map(String).join(' ').slice(0, 500) || undefined }, diagMessage(msg));
  diag.setLogger({
    error: (msg, ...args) => say(msg, args),
    warn: (msg, ...args) => say(msg, args),
    info: () => {}, debug: () => {}, verbose: () => {},
  }, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  // Session routes' spans name the session's agent, permission mode and tenant too, when the
  // sessions plugin is loaded (tracing does not depend on it).
  installServerSpans(app, (id) => {
    const sessions = app.hasDecorator('sessions') ? (app as unknown as { sessions: { record(id: string): SessionLike | undefined } }).sessions : undefined;
    const r = sessions?.record(id);
    return r ? { agent: r.agent, permissionMode: r.permissionMode, tenantId: r.owner?.tenantId } : undefined;
  });
  const started = runtime;
  app.addHook('onClose', async () => {
    await started.shutdown().catch((err: unknown) => log.warn({ err }, 'exporting the last spans failed'));
    diag.disable();
  });
  log.info({ url: runtime.url, sampleRate: opts.sampleRate, serviceName: opts.serviceName }, 'tracing on');
}

export default fp(tracing, { name: 'tracing', fastify: '5.x' });
