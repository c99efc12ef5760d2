/** The started OpenTelemetry SDK, as the rest of the plugin sees it. */
export interface TracingRuntime {
  /** Where spans go (the OTLP/HTTP traces URL). */
  readonly url: string;
  /** Exports what is buffered, then stops; spans ended later are dropped. */
  shutdown(): Promise<void>;
}

// One per process: the SDK registers itself globally with the OpenTelemetry API.
let current: TracingRuntime | undefined;

/** The running SDK, if the preload (or the plugin) started one. */
export function tracingRuntime(): TracingRuntime | undefined {
  return current;
}

export function setTracingRuntime(runtime: TracingRuntime | undefined): void {
  current = runtime;
}
