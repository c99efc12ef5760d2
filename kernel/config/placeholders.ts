import { BootError } from '../errors.js';

const PLACEHOLDER = /\{([A-Z_][A-Z0-9_]*)\}/g;

/**
 * Replaces `{NAME}` in every string of the loaded file with the environment variable NAME.
 * A missing variable stops the boot naming the key that wanted it.
 */
export function expandPlaceholders(value: unknown, env: NodeJS.ProcessEnv, path = ''): unknown {
  if (typeof value === 'string') {
    return value.replace(PLACEHOLDER, (_m, name: string) => {
      const v = env[name];
      if (v === undefined) {
        throw new BootError('AEGIS_ERR_CONFIG_ENV_MISSING',
          `config: ${path || '(root)'} refers to {${name}}, but the environment variable ${name} is not set`);
      }
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => expandPlaceholders(v, env, `${path}[${i}]`));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = expandPlaceholders(v, env, path ? `${path}.${k}` : k);
    return out;
  }
  return value;
}
