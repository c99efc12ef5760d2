import { randomUUID } from 'node:crypto';
import type { SessionContext, SessionRecord } from '../sessions/index.js';
import { ClaudeStartExited, ClaudeStartTimeout } from './errors.js';
import { CLAUDE_ENV_PASS, claudeArgs, claudeDataDir, driverEnv, resolveClaude } from './launch.js';
import type { LiveSession } from './live.js';
import { writeLaunchSettings } from './settings.js';
import { hasConversation, readTranscriptText, CONVERSATION_ID, transcriptPath } from './transcript.js';

/** What starting needs from the driver's options. */
export interface StartOptions {
  command?: string;
  args: string[];
  env: Record<string, string>;
  startupTimeoutMs: number;
  hooks: boolean;
  /** Claude Code's own sandbox, by default and per tenant. */
  sandbox: { enabled: boolean; tenants: Record<string, boolean> };
  /** The resolved `dataDir` option (CLAUDE_DATA_DIR). */
  claudeDataDir: string;
}

/**
 * The environment the CLI runs with and where it keeps its files. Of the server's environment
 * only the allowlist reaches it (the sessions runtime's base list, the agent user's identity and
 * CLAUDE_ENV_PASS), then the options' `env`, then the session's. With an agent user, its HOME
 * decides where the CLI keeps its files, so the server's CLAUDE_DATA_DIR is not forced on it.
 */
export function sessionEnv(ctx: Pick<SessionContext, 'record' | 'agentEnv' | 'agentUser'>, opts: Pick<StartOptions, 'env' | 'claudeDataDir'>): { env: Record<string, string>; dataDir: string } {
  const base = ctx.agentEnv(CLAUDE_ENV_PASS, opts.env, ctx.record.env);
  const data = claudeDataDir(base, opts.claudeDataDir, undefined, ctx.agentUser !== undefined);
  const uid = ctx.agentUser?.uid ?? process.getuid?.();
  return { env: { ...base, ...data.add, ...driverEnv(ctx.record.permissionMode, uid) }, dataDir: data.dir };
}

/** Whether a session of `tenantId` runs with Claude Code's own sandbox: the tenant's switch, else the default. */
export function sandboxFor(tenantId: string | undefined, sandbox: StartOptions['sandbox']): boolean {
  if (tenantId !== undefined && Object.hasOwn(sandbox.tenants, tenantId)) return sandbox.tenants[tenantId]!;
  return sandbox.enabled;
}

/** The last non-empty lines of the screen: what the CLI said before it ended or stalled. */
export function lastWords(lines: readonly string[], n = 3): string {
  return lines.filter((l) => l.trim() !== '').slice(-n).map((l) => l.trim()).join(' / ') || '(empty screen)';
}

/**
 * Writes the session's `reason` while it lives. The context can persist only `agentSessionId` and
 * `driver`; the record object is the live one, so the field is set on it and saved with the next
 * update. Cleared again in onExit so the runtime's own exit reason is not masked.
 */
export function setReason(ctx: SessionContext, reason: string | undefined): void {
  const rec = ctx.record as SessionRecord;
  if (reason === undefined) delete rec.reason;
  else rec.reason = reason;
}

/**
 * Which conversation to run: `--resume <id>` when asked to resume and the CLI's file for that id
 * holds a conversation; otherwise a fresh `--session-id <uuid>`. The CLI exits at once with "No
 * conversation found" for an id it has no messages for (it writes the file with the first
 * message, so an agent killed before that left nothing), and that exit would end the session; it
 * is checked first, and the fallback is written into the record's reason.
 */
async function pickConversation(ctx: SessionContext, resume: boolean, dataDir: string): Promise<{ id: string; resume: boolean }> {
  const old = ctx.record.agentSessionId;
  if (!resume || !old || !CONVERSATION_ID.test(old)) return { id: randomUUID(), resume: false };
  if (hasConversation(await readTranscriptText(transcriptPath(dataDir, ctx.record.workDir, old)))) return { id: old, resume: true };
  const id = randomUUID();
  setReason(ctx, `no conversation found for ${old} to resume; started a new one as ${id}`);
  ctx.log.warn({ old, id }, 'claude conversation not found; starting a fresh one');
  return { id, resume: false };
}

/**
 * Launches the CLI for a session and waits (bounded) until it shows its input box or a start-up
 * dialog (trust, bypass warning). Returns which; throws if it ends or stalls first.
 */
export async function launch(live: LiveSession, resume: boolean, opts: StartOptions): Promise<'box' | 'dialog'> {
  const ctx = live.ctx;
  const { env, dataDir } = sessionEnv(ctx, opts);
  const conversation = await pickConversation(ctx, resume, dataDir);
  // Not awaited: the write runs while the CLI boots, and the record is on disk before the create
  // is answered. Until its first message the CLI has no conversation a restore could resume.
  void ctx.update({ agentSessionId: conversation.id });
  const settingsFile = await writeLaunchSettings(ctx, {
    hooks: opts.hooks ? { url: ctx.hookUrl, secret: ctx.hookSecret } : undefined,
    sandbox: sandboxFor(ctx.record.owner.tenantId, opts.sandbox),
  });
  const args = claudeArgs({ sessionId: conversation.id, resume: conversation.resume, permissionMode: ctx.record.permissionMode, settingsFile, extra: opts.args });
  const command = resolveClaude(opts.command, env.PATH ?? '');
  ctx.log.info({ command, resume: conversation.resume, agentSessionId: conversation.id }, 'starting claude');
  await ctx.spawnPty({ command, args, cwd: ctx.record.workDir, env });
  const ready = await live.until(() => {
    if (live.exit) return 'exit' as const;
    if (live.read.dialog) return 'dialog' as const;
    return live.read.box && live.read.state ? 'box' as const : undefined;
  }, opts.startupTimeoutMs);
  live.starting = false;
  if (ready === 'exit') throw new ClaudeStartExited(lastWords(live.read.lines));
  if (!ready) throw new ClaudeStartTimeout(String(opts.startupTimeoutMs), lastWords(live.read.lines));
  return ready;
}
