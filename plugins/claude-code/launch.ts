import { realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { findOnPath, isExecutableFile, packageBin, type PermissionMode } from '../sessions/index.js';
import { ClaudeNotFound } from './errors.js';

/**
 * Server env names the CLI needs besides the base list: its credentials and endpoint
 * (`ANTHROPIC_*`) and its own switches (`CLAUDE_CODE_*`, `DISABLE_*`). CLAUDE_CONFIG_DIR is not
 * passed: where the CLI keeps files follows the agent's HOME or CLAUDE_DATA_DIR (see claudeDataDir).
 */
export const CLAUDE_ENV_PASS: readonly string[] = ['ANTHROPIC_*', 'CLAUDE_CODE_*', 'DISABLE_*'];

/** The CLI installed with Aegis (the `@anthropic-ai/claude-code` package's `claude` bin), if any. */
export function bundledClaude(): string | undefined {
  try {
    const file = packageBin('@anthropic-ai/claude-code', 'claude');
    return isExecutableFile(file) ? file : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The absolute real path of the CLI to run: the configured `command` (a name is looked up on
 * PATH, a relative path taken from the server's cwd), else `claude` on PATH, else the bundled one.
 * The PTY execs this file directly; no shell, login or otherwise, ever reads the command.
 */
export function resolveClaude(command: string | undefined, path: string, bundled = bundledClaude): string {
  let file: string | undefined;
  if (command === undefined) file = findOnPath('claude', path) ?? bundled();
  else if (command.includes('/')) file = isExecutableFile(resolve(command)) ? resolve(command) : undefined;
  else file = findOnPath(command, path);
  if (!file) throw new ClaudeNotFound(command === undefined ? 'claude on PATH or @anthropic-ai/claude-code' : command);
  return realpathSync(file);
}

/** What one launch of the CLI needs to know. */
export interface LaunchPlan {
  sessionId: string;
  /** `--resume <id>` (continue a conversation) instead of `--session-id <id>` (start one). */
  resume: boolean;
  permissionMode: PermissionMode;
  /** The per-session settings file with the hooks, when hooks are on. */
  settingsFile?: string;
  extra: readonly string[];
}

/** The CLI arguments: conversation id, permission mode, hook settings, then the configured extras. */
export function claudeArgs(plan: LaunchPlan): string[] {
  const args = plan.resume ? ['--resume', plan.sessionId] : ['--session-id', plan.sessionId];
  args.push('--permission-mode', plan.permissionMode);
  if (plan.settingsFile) args.push('--settings', plan.settingsFile);
  return [...args, ...plan.extra];
}

/**
 * Where the CLI will keep this session's files, and what to add to its environment so that is
 * true. The CLI uses `CLAUDE_CONFIG_DIR`, else `$HOME/.claude`. So: the agent's own
 * CLAUDE_CONFIG_DIR (from the options or config) wins; an agent user (`otherUser`), or an agent
 * HOME other than the server's, means `<that HOME>/.claude`;
 * otherwise it is `claudeDataDir` (CLAUDE_DATA_DIR), and when that is not `~/.claude` the CLI is
 * told so with CLAUDE_CONFIG_DIR.
 */
export function claudeDataDir(env: Record<string, string>, configured: string, serverHome = homedir(), otherUser = false): { dir: string; add: Record<string, string> } {
  if (env.CLAUDE_CONFIG_DIR) return { dir: resolve(env.CLAUDE_CONFIG_DIR), add: {} };
  const home = env.HOME ? resolve(env.HOME) : resolve(serverHome);
  if (otherUser || home !== resolve(serverHome)) return { dir: join(home, '.claude'), add: {} };
  const dir = resolve(configured);
  return dir === join(home, '.claude') ? { dir, add: {} } : { dir, add: { CLAUDE_CONFIG_DIR: dir } };
}

/**
 * Variables the driver itself sets. As root the CLI refuses bypassPermissions ("cannot be used
 * with root/sudo privileges") unless IS_SANDBOX=1, so that is set for exactly that case; the
 * session's permission mode is what governs. TERM is set because the screen is parsed as xterm.
 */
export function driverEnv(mode: PermissionMode, uid = process.getuid?.()): Record<string, string> {
  const env: Record<string, string> = { TERM: 'xterm-256color' };
  if (mode === 'bypassPermissions' && uid === 0) env.IS_SANDBOX = '1';
  return env;
}
