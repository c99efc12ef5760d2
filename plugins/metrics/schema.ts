import { Type, type Static } from '@sinclair/typebox';

/** The `plugins.metrics` options block. */
export const optionsSchema = Type.Object({
  token: Type.Optional(Type.String({
    minLength: 16,
    description: 'A bearer token only for GET /metrics (a Prometheus scraper\'s). When set, /metrics takes this token and no API key; when unset, it needs an API key with the `metrics` permission',
  })),
  processMetrics: Type.Boolean({ default: true, description: 'Also export Node.js and process metrics (CPU, memory, event-loop lag, GC), prefixed aegis_' }),
}, { additionalProperties: false });

/** Validated `plugins.metrics` options. */
export type MetricsOptions = Static<typeof optionsSchema>;
