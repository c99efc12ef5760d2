import { BootError } from '../errors.js';

type Kind = 'string' | 'int' | 'number' | 'bool';

/** The deployment guide's variables and where each lands in the config. */
export const ENV_MAP: ReadonlyArray<readonly [name: string, path: string, kind: Kind]> = [
  ['AEGIS_PORT', 'server.port', 'int'],
  ['AEGIS_HOST', 'server.host', 'string'],
  ['AEGIS_AUTH_TOKEN', 'server.authToken', 'string'],
  ['AEGIS_DASHBOARD_URL', 'server.dashboardUrl', 'string'],
  ['AEGIS_SHUTDOWN_GRACE_MS', 'server.shutdownGraceMs', 'int'],
  ['AEGIS_SHUTDOWN_HARD_MS', 'server.shutdownHardMs', 'int'],
  ['AEGIS_STATE_DIR', 'stateDir', 'string'],
  ['CLAUDE_DATA_DIR', 'claudeDataDir', 'string'],
  ['AEGIS_SSE_IDLE_MS', 'sse.idleMs', 'int'],
  ['AEGIS_SSE_CLIENT_TIMEOUT_MS', 'sse.clientTimeoutMs', 'int'],
  ['AEGIS_HOOK_TIMEOUT_MS', 'hooks.timeoutMs', 'int'],
  ['AEGIS_OTEL_ENABLED', 'otel.enabled', 'bool'],
  ['AEGIS_OTEL_OTLP_ENDPOINT', 'otel.endpoint', 'string'],
  ['AEGIS_OTEL_SERVICE_NAME', 'otel.serviceName', 'string'],
  ['AEGIS_OTEL_SAMPLE_RATE', 'otel.sampleRate', 'number'],
];

function parse(name: string, raw: string, kind: Kind): unknown {
  const fail = (expected: string) =>
    new BootError('AEGIS_ERR_CONFIG_INVALID', `config: ${name}=${JSON.stringify(raw)} is invalid: expected ${expected}`);
  switch (kind) {
    case 'string':
      return raw;
    case 'int':
      if (!/^\d+$/.test(raw.trim())) throw fail('a non-negative integer');
      return Number(raw.trim());
    case 'number': {
      const n = Number(raw.trim());
      if (raw.trim() === '' || !Number.isFinite(n)) throw fail('a number');
      return n;
    }
    case 'bool':
      if (/^(1|true|yes|on)$/i.test(raw.trim())) return true;
      if (/^(0|false|no|off)$/i.test(raw.trim())) return false;
      throw fail('true or false');
  }
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const k of keys.slice(0, -1)) {
    const next = node[k];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[k] = {};
    node = node[k] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]] = value;
}

/** Overlays the environment on the file's config (env wins). Empty variables count as unset. */
export function overlayEnv(config: Record<string, unknown>, env: NodeJS.ProcessEnv): Record<string, unknown> {
  for (const [name, path, kind] of ENV_MAP) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    setPath(config, path, parse(name, raw, kind));
  }
  return config;
}
