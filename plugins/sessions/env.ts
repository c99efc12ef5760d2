import { serverEnv } from '../../kernel/index.js';
import { EnvDenied, EnvInvalid } from './errors.js';

/**
 * Names a create request may never set, even when `requestEnv` allows them. They change what runs
 * (loader, interpreter and shell start-up hooks, PATH), where traffic goes (proxies, registries),
 * how TLS is checked (CA bundles, NODE_TLS_REJECT_UNAUTHORIZED), where configuration is read from
 * (HOME, XDG, git and Claude config), who the agent is, or carry credentials that must come from
 * the operator rather than an API call. `PREFIX_*` and `*_SUFFIX` are patterns; case is ignored.
 */
export const DEFAULT_ENV_DENYLIST: readonly string[] = [
  // Loaders and interpreters.
  'LD_*', 'DYLD_*', 'GCONV_PATH', 'LOCPATH', 'MALLOC_*', 'GLIBC_TUNABLES',
  'NODE_OPTIONS', 'NODE_PATH', 'NODE_REPL_EXTERNAL_MODULE', 'NODE_PRESERVE_SYMLINKS*', 'NODE_ICU_DATA', 'NODE_V8_COVERAGE',
  'PYTHON*', 'PERL5*', 'PERLLIB', 'RUBY*', 'GEM_*', 'BUNDLE_*', 'JAVA_TOOL_OPTIONS', '_JAVA_OPTIONS', 'JDK_JAVA_OPTIONS', 'CLASSPATH',
  'LUA_*', 'TCLLIBPATH', 'GOFLAGS', 'GOPROXY', 'GONOSUMDB', 'GOSUMDB', 'GOPRIVATE', 'GONOPROXY', 'CARGO_*', 'RUSTC_WRAPPER',
  'NPM_CONFIG_*', 'YARN_*', 'PIP_*', 'UV_*', 'COMPOSER_*',
  // Shells.
  'PATH', 'SHELL', 'BASH_ENV', 'ENV', 'BASH_FUNC_*', 'IFS', 'PS4', 'PROMPT_COMMAND', 'ZDOTDIR', 'SHELLOPTS', 'BASHOPTS', 'CDPATH',
  // Where things are and who the agent is.
  'HOME', 'USER', 'LOGNAME', 'TMPDIR', 'XDG_*', 'PWD', 'OLDPWD',
  // Traffic and TLS.
  '*_PROXY', 'NODE_TLS_REJECT_UNAUTHORIZED', 'NODE_EXTRA_CA_CERTS', 'NODE_USE_ENV_PROXY', 'NODE_USE_SYSTEM_CA',
  'SSL_CERT_FILE', 'SSL_CERT_DIR', 'SSLKEYLOGFILE', 'CURL_CA_BUNDLE', 'CURL_HOME', 'REQUESTS_CA_BUNDLE', 'WGETRC',
  'DOCKER_*', 'KUBECONFIG', 'SSH_*', 'GNUPGHOME', 'GIT_*',
  // Agent configuration and credentials.
  'CLAUDE_*', 'ANTHROPIC_*', 'IS_SANDBOX', 'DISABLE_*', 'MCP_*', 'AEGIS_*',
  '*_TOKEN', '*_API_KEY', '*_SECRET', '*_PASSWORD', 'AWS_*', 'GOOGLE_*', 'AZURE_*',
];

/**
 * What reaches every agent from the server's environment, whatever the driver: the locale, the
 * terminal, the time zone, the temp folder and PATH. Identity (HOME, USER, LOGNAME, SHELL) is set
 * for the agent user, or passed on when agents run as the server's own user.
 */
export const BASE_AGENT_ENV: readonly string[] = ['PATH', 'LANG', 'LANGUAGE', 'LC_*', 'TERM', 'COLORTERM', 'TZ', 'TMPDIR'];

/** The server user's identity variables, passed on only when agents run as that same user. */
const IDENTITY = ['HOME', 'USER', 'LOGNAME', 'SHELL'];

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Whether `name` matches `pattern` (`NAME`, `PREFIX_*`, `*_SUFFIX`), ignoring case. */
export function nameMatches(name: string, pattern: string): boolean {
  const n = name.toUpperCase();
  const p = pattern.toUpperCase();
  if (p.endsWith('*')) return n.startsWith(p.slice(0, -1));
  if (p.startsWith('*')) return n.endsWith(p.slice(1));
  return n === p;
}

/** The denylist pattern that refuses `name`, if any. Case-insensitive, so `ld_preload` is caught too. */
export function deniedBy(name: string, extra: readonly string[] = []): string | undefined {
  return [...DEFAULT_ENV_DENYLIST, ...extra].find((p) => nameMatches(name, p));
}

function coded<E extends Error>(err: E, details: unknown): E {
  (err as E & { details: unknown }).details = details;
  return err;
}

/** The rules a create request's `env` is checked against. */
export interface RequestEnvRules {
  /** Names (`NAME`, `PREFIX_*`, `*_SUFFIX`) a request may set (`plugins.sessions.requestEnv`). */
  allow: readonly string[];
  /** Further names that are always refused (`plugins.sessions.envDenylist`). */
  deny?: readonly string[];
}

/**
 * Checks a create request's `env`: valid names, no NUL in values, nothing on the denylist (even
 * when allowed), and only names the allowlist matches. Throws SESSION_ENV_INVALID or
 * SESSION_ENV_DENIED naming the variable (also in `details.name`; `details.reason` is `never` or
 * `not-allowed`).
 */
export function checkEnv(env: Record<string, string> | undefined, rules: RequestEnvRules): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env ?? {})) {
    if (!NAME.test(name) || typeof value !== 'string' || value.includes('\0')) {
      throw coded(new EnvInvalid(name), { name });
    }
    const pattern = deniedBy(name, rules.deny);
    if (pattern) throw coded(new EnvDenied(name), { name, pattern, reason: 'never' });
    if (!rules.allow.some((p) => nameMatches(name, p))) throw coded(new EnvDenied(name), { name, reason: 'not-allowed' });
    out[name] = value;
  }
  return out;
}

/** Who an agent runs as, for its environment: the agent user's passwd entry. */
export interface AgentIdentityEnv {
  home: string;
  user: string;
  shell?: string;
}

/** How an agent's environment is built from the server's. */
export interface AgentEnvSpec {
  /** Names and `PREFIX_*` passed on from the server environment besides the base list. */
  pass: readonly string[];
  /** The agent user; without one, the server's own HOME/USER/LOGNAME/SHELL are passed on. */
  identity?: AgentIdentityEnv;
  /** The server's environment (default: the kernel's `serverEnv()`). */
  source?: NodeJS.ProcessEnv;
}

/**
 * The environment an agent runs with: an allowlist of the server's environment (BASE_AGENT_ENV
 * plus `spec.pass`), the agent user's identity, then each layer in order (later wins). Nothing
 * else of the server's environment reaches the agent: not the master token, not a variable the
 * operator set for the server alone.
 */
export function agentEnv(spec: AgentEnvSpec, ...layers: Array<Record<string, string> | undefined>): Record<string, string> {
  const source = spec.source ?? serverEnv();
  const pass = [...BASE_AGENT_ENV, ...spec.pass, ...(spec.identity ? [] : IDENTITY)];
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(source)) {
    if (v === undefined || /^AEGIS_/i.test(k)) continue;
    if (pass.some((p) => nameMatches(k, p))) out[k] = v;
  }
  if (spec.identity) {
    const { home, user, shell } = spec.identity;
    Object.assign(out, { HOME: home, USER: user, LOGNAME: user }, shell ? { SHELL: shell } : {});
  }
  for (const layer of layers) Object.assign(out, layer ?? {});
  return out;
}
