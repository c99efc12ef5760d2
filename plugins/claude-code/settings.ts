import type { SessionContext } from '../sessions/index.js';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The hook events Aegis listens to. Tool events match every tool. */
export const HTTP_HOOK_EVENTS = [
  'UserPromptSubmit', 'PreToolUse', 'PostToolUse', 'PermissionRequest', 'Notification', 'Stop', 'StopFailure',
  'SessionEnd', 'PreCompact', 'SubagentStop',
] as const;
const TOOL_EVENTS = new Set(['PreToolUse', 'PostToolUse', 'PermissionRequest']);

/** Seconds the CLI waits for a hook; the receiver answers at once, this only bounds a dead server. */
const HOOK_TIMEOUT_S = 5;

/** Quotes one word for the POSIX shell the CLI runs command hooks with. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The compiled forwarder the SessionStart command hook runs (beside this module in dist/). */
export const FORWARDER = fileURLToPath(new URL('./hook-forward.js', import.meta.url));

/** Where a session's hook files live. */
export function hookFiles(sessionDir: string) {
  return { settings: join(sessionDir, 'claude-settings.json'), secret: join(sessionDir, 'claude-hook-secret') };
}

/**
 * The `--settings` document that sends the CLI's hooks back to Aegis: HTTP hooks to
 * `<hookUrl>/<Event>` carrying the session secret in `X-Aegis-Hook-Secret` (a header, never the
 * URL). The CLI skips HTTP hooks for SessionStart, so that one is a command hook running the
 * forwarder with this Node; the forwarder reads the secret from a file, keeping it off command
 * lines. The receiver always answers `{}`, so no hook ever decides a permission.
 */
export function hookSettings(hookUrl: string, secret: string, secretFile: string, node = process.execPath): Record<string, unknown> {
  const hooks: Record<string, unknown[]> = {};
  for (const event of HTTP_HOOK_EVENTS) {
    hooks[event] = [{
      ...(TOOL_EVENTS.has(event) ? { matcher: '*' } : {}),
      hooks: [{ type: 'http', url: `${hookUrl}/${event}`, timeout: HOOK_TIMEOUT_S, headers: { 'X-Aegis-Hook-Secret': secret } }],
    }];
  }
  const command = [node, FORWARDER, `${hookUrl}/SessionStart`, secretFile].map(shellQuote).join(' ');
  hooks.SessionStart = [{ hooks: [{ type: 'command', command, timeout: HOOK_TIMEOUT_S }] }];
  return { hooks };
}

/**
 * The CLI's own Bash sandbox, switched on and failing closed: no silent fallback to running a
 * command unsandboxed when bubblewrap is missing, and no per-command escape hatch.
 */
export const SANDBOX_SETTINGS = { enabled: true, failIfUnavailable: true, allowUnsandboxedCommands: false } as const;

/** What one launch's `--settings` document holds. */
export interface LaunchSettings {
  /** The hook URL and secret, when hooks are on. */
  hooks?: { url: string; secret: string };
  /** Claude Code's own sandbox on. */
  sandbox: boolean;
}

/**
 * Writes the settings (and the hook secret, when hooks are on), both 0600 and the agent user's,
 * for one launch into the session's agent folder, the one place of Aegis the agent can read.
 * Returns the settings path, or undefined when there is nothing to set.
 */
export async function writeLaunchSettings(ctx: Pick<SessionContext, 'agentDir' | 'writeAgentFile'>, want: LaunchSettings): Promise<string | undefined> {
  if (!want.hooks && !want.sandbox) return undefined;
  const doc: Record<string, unknown> = {};
  // The two files are independent: written side by side, both done before the CLI starts.
  let secretWritten: Promise<string> | undefined;
  if (want.hooks) {
    const files = hookFiles(ctx.agentDir);
    secretWritten = ctx.writeAgentFile('claude-hook-secret', want.hooks.secret);
    Object.assign(doc, hookSettings(want.hooks.url, want.hooks.secret, files.secret));
  }
  // The CLI sends its HTTP hooks through the sandbox's network proxy, which asks before any
  // host it does not know; Aegis's own host is allowed so hooks are not held at a dialog.
  if (want.sandbox) doc.sandbox = { ...SANDBOX_SETTINGS, ...(want.hooks ? { network: { allowedDomains: [new URL(want.hooks.url).hostname.replace(/^\[|\]$/g, '')] } } : {}) };
  const [settings] = await Promise.all([ctx.writeAgentFile('claude-settings.json', JSON.stringify(doc, null, 2)), secretWritten]);
  return settings;
}

/** The hooks-only settings of one launch (see writeLaunchSettings). */
export async function writeHookSettings(ctx: Pick<SessionContext, 'agentDir' | 'writeAgentFile'>, hookUrl: string, secret: string): Promise<string> {
  return (await writeLaunchSettings(ctx, { hooks: { url: hookUrl, secret }, sandbox: false }))!;
}
