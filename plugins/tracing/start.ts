import { setLogMixin, VERSION } from '../../kernel/index.js';
import { traceLogMixin } from './correlation.js';
import { setTracingRuntime, tracingRuntime, type TracingRuntime } from './runtime.js';
import type { TracingOptions } from './schema.js';

/**
 * Starts tracing once per process: loads the SDK (only now: with tracing off it is never
 * imported), registers it with the OpenTelemetry API, and gives the root logger its trace-id
 * mixin. Returns the running SDK when it was already started.
 */
export async function startTracing(opts: TracingOptions): Promise<TracingRuntime> {
  const running = tracingRuntime();
  if (running) return running;
  const { startSdk } = await import('./sdk.js');
  const runtime = startSdk(opts, VERSION);
  setTracingRuntime(runtime);
  setLogMixin(traceLogMixin);
  return runtime;
}
