import { serverEnv } from '../../kernel/index.js';
import { EnvDenied, EnvInvalid } from './errors.js';

/**
 * Names a session may never set. They either change what runs (loader and interpreter hooks, PATH,
 * shell start-up files), where it runs (HOME, SHELL), or carry credentials that must come from the
 * server's own environment rather than an API call. `PREFIX_*` and `*_SUFFIX` are patterns.
 */
export const DEFAULT_ENV_DENYLIST: readonly string[] = [
  'LD_PRELOAD', 'LD_*', 'DYLD_*', 'NODE_OPTIONS', 'PATH', 'HOME', 'SHELL', 'BASH_ENV', 'ENV', 'BASH_FUNC_*',
  '*_TOKEN', '*_API_KEY', '*_SECRET', '*_PASSWORD', 'ANTHROPIC_*', 'AWS_*', 'AEGIS_*',
];

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function matches(name: string, pattern: string): boolean {
  const n = name.toUpperCase();
  const p = pattern.toUpperCase();
  if (p.endsWith('*')) return n.startsWith(p.slice(0, -1));
  if (p.startsWith('*')) return n.endsWith(p.slice(1));
  return n === p;
}

/** The denylist pattern that refuses `name`, if any. Case-insensitive, so `ld_preload` is caught too. */
export function deniedBy(name: string, extra: readonly string[] = []): string | undefined {
  return [...DEFAULT_ENV_DENYLIST, ...extra].find((p) => matches(name, p));
}

function coded<E extends Error>(err: E, details: unknown): E {
  (err as E & { details: unknown }).details = details;
  return err;
}

/**
 * Checks a session's extra environment: valid names, no NUL in values, nothing on the denylist.
 * Throws SESSION_ENV_INVALID or SESSION_ENV_DENIED naming the variable (also in `details.name`).
 */
export function checkEnv(env: Record<string, string> | undefined, extra: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env ?? {})) {
    if (!NAME.test(name) || typeof value !== 'string' || value.includes('\0')) {
      throw coded(new EnvInvalid(name), { name });
    }
    const pattern = deniedBy(name, extra);
    if (pattern) throw coded(new EnvDenied(name), { name, pattern });
    out[name] = value;
  }
  return out;
}

/**
 * The environment an agent runs with: the server's own environment plus the session's checked
 * `env`. Drivers pass this (with their own additions) as `PtySpec.env`. The server's `AEGIS_*`
 * variables are left out: one is the master token, and whatever the agent runs sees this.
 */
export function agentEnv(sessionEnv: Record<string, string>, extra: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(serverEnv())) if (v !== undefined && !/^AEGIS_/i.test(k)) out[k] = v;
  return { ...out, ...sessionEnv, ...extra };
}
