import type { SessionContext } from '../sessions/index.js';
import { transcriptCatchUp } from './catch-up.js';
import type { ClaudeCodeOptions } from './schema.js';
import { sessionEnv } from './start.js';
import { chainRooted, parseLines, readTranscriptText, saysAssistant, toEntries, CONVERSATION_ID, transcriptPath, turnEndedSince } from './transcript.js';

/** What finding a session's conversation file needs. */
export type ConversationOptions = Pick<ClaudeCodeOptions, 'env'> & { claudeDataDir: string };

/** Longest the end of a turn waits for the transcript to show it. */
const CATCH_UP_MS = 2000;

const compact = (s: string) => s.replace(/\s+/g, '');

/** The CLI's conversation file for a session, once it has a conversation id. */
export function conversationFile(ctx: SessionContext, opts: ConversationOptions): string | undefined {
  const id = ctx.record.agentSessionId;
  return id && CONVERSATION_ID.test(id) ? transcriptPath(sessionEnv(ctx, opts).dataDir, ctx.record.workDir, id) : undefined;
}

/** The file's text (empty before the first message). */
export function conversationText(ctx: SessionContext, opts: ConversationOptions): Promise<string> {
  const file = conversationFile(ctx, opts);
  return file ? readTranscriptText(file) : Promise.resolve('');
}

/** The tool calls of the conversation. */
export async function toolUses(ctx: SessionContext, opts: ConversationOptions) {
  return toEntries(await conversationText(ctx, opts)).filter((e) => e.role === 'tool_use');
}

/**
 * Counts tool calls from the transcript at each turn end, for launches without hooks (where
 * PreToolUse does it). The `counted` calls already in the file at launch belong to an earlier run.
 */
export function toolCounter(ctx: SessionContext, opts: ConversationOptions, counted: number): () => void {
  let running = Promise.resolve();
  return () => {
    running = running.then(async () => {
      const uses = await toolUses(ctx, opts);
      for (const use of uses.slice(counted)) ctx.countToolCall(use.toolName ?? 'unknown');
      counted = Math.max(counted, uses.length);
    }).catch((err) => ctx.log.warn({ err }, 'counting tool calls from the transcript failed'));
  };
}

/** True when the file has a user line saying `text`, written at or after `since` (ms). */
export async function promptInTranscript(ctx: SessionContext, opts: ConversationOptions, text: string, since: number): Promise<boolean> {
  const want = compact(text);
  return parseLines(await conversationText(ctx, opts)).some((l) => {
    const c = l.message?.content;
    const said = typeof c === 'string' ? c : Array.isArray(c) ? c.map((b: { text?: string }) => b?.text ?? '').join('') : '';
    return l.type === 'user' && compact(said) === want && Date.parse(l.timestamp ?? '') >= since;
  });
}

/**
 * The state tracker's gate for the end of a turn: resolves once the transcript shows it, with the
 * whole conversation leading to it. After Stop/StopFailure the hook names the last answer; an end
 * seen on screen (no hooks) waits for the file's end-of-turn line after the turn began. Undefined
 * when there is nothing to wait for.
 */
export function turnEndGate(ctx: SessionContext, opts: ConversationOptions) {
  return (event: string, body: Record<string, unknown>): Promise<void> | undefined => {
    const file = conversationFile(ctx, opts);
    if (!file) return undefined;
    if (event === 'screen') return transcriptCatchUp(file, (text) => turnEndedSince(text, Number(body.since) - 1000) && chainRooted(text), CATCH_UP_MS);
    const last = body.last_assistant_message;
    return typeof last === 'string' && last.trim() ? transcriptCatchUp(file, (text) => saysAssistant(text, last) && chainRooted(text), CATCH_UP_MS) : undefined;
  };
}
