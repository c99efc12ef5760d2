import { defineError } from '../../kernel/index.js';

/** The metrics token is missing or wrong (only when `plugins.metrics.token` is set). */
export const MetricsTokenInvalid = defineError('AEGIS_ERR_METRICS_TOKEN_INVALID', 'GET /metrics needs the metrics token', 401);
