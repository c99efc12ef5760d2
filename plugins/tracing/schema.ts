import { Type, type Static } from '@sinclair/typebox';

/** The `plugins.tracing` options block. */
export const optionsSchema = Type.Object({
  endpoint: Type.String({
    minLength: 1, pattern: '^https?://', default: 'http://localhost:4318',
    description: 'OTLP/HTTP endpoint (AEGIS_OTEL_OTLP_ENDPOINT); spans go to <endpoint>/v1/traces',
  }),
  serviceName: Type.String({ minLength: 1, default: 'aegis', description: 'service.name of every span (AEGIS_OTEL_SERVICE_NAME)' }),
  sampleRate: Type.Number({
    minimum: 0, maximum: 1, default: 1,
    description: 'Share of new traces recorded (AEGIS_OTEL_SAMPLE_RATE); a caller\'s sampled traceparent is always followed',
  }),
  batchDelayMs: Type.Integer({ minimum: 10, default: 5000, description: 'Longest a finished span waits before it is exported' }),
}, { additionalProperties: false });

/** Validated `plugins.tracing` options. */
export type TracingOptions = Static<typeof optionsSchema>;

/** The deployment guide's variables for tracing; `AEGIS_OTEL_ENABLED` is the catalogue entry's enableEnv. */
export const envOptions = {
  AEGIS_OTEL_OTLP_ENDPOINT: 'endpoint',
  AEGIS_OTEL_SERVICE_NAME: 'serviceName',
  AEGIS_OTEL_SAMPLE_RATE: 'sampleRate',
} as const;
