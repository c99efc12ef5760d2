import { type AgentDriver, type SessionContext, SessionExited, type SessionRecord } from '../sessions/index.js';
import { conversationText, promptInTranscript, toolCounter, toolUses, turnEndGate } from './conversation.js';
import { deliver } from './deliver.js';
import { answer, approve, escape, interrupt, reject } from './dialogs.js';
import { LiveSession } from './live.js';
import type { ClaudeCodeOptions } from './schema.js';
import { acceptsInput } from './screen/read.js';
import { launch, lastWords, setReason } from './start.js';
import { CONVERSATION_ID, sumUsage, toEntries } from './transcript.js';

/** The driver's options: the validated plugin block plus the server's Claude data directory. */
export type ClaudeDriverOptions = ClaudeCodeOptions & { claudeDataDir: string };

/**
 * Whether the hook URL can be reached. On an ephemeral port (0) the URL is only known once the
 * server listens; a session started before that (an app that is never listened on, or a restore
 * that gave up waiting for the listen) would lose every hook, so that launch goes by the screen alone.
 */
function hooksReachable(ctx: SessionContext): boolean {
  try {
    return new URL(ctx.hookUrl).port !== '0';
  } catch {
    return false;
  }
}

/**
 * The `claude-code` agent driver: the Claude Code CLI in a PTY. State comes from the screen, the
 * CLI's hooks and its transcript (see state.ts); messages go in as one bracketed paste; prompts
 * are answered with the digit of the option on screen; restarts resume the CLI's own conversation.
 */
export function createClaudeDriver(opts: ClaudeDriverOptions): AgentDriver {
  const live = new Map<string, LiveSession>();
  const get = (ctx: SessionContext) => {
    const s = live.get(ctx.record.id);
    if (!s || s.exit) throw new SessionExited(ctx.record.id);
    return s;
  };
  const send = (s: LiveSession, text: string) => s.exclusive(() => deliver(
    s, text, opts.sendTimeoutMs, (since) => promptInTranscript(s.ctx, opts, text, since),
  ));

  /** A first prompt held back by a start-up dialog goes in once the box takes input. */
  const sendHeldPrompt = (s: LiveSession) => {
    const text = s.pendingPrompt;
    if (text === undefined || !acceptsInput(s.read)) return;
    s.pendingPrompt = undefined;
    send(s, text).then(
      (r) => { if (!r.delivered) s.ctx.log.warn({ attempts: r.attempts }, 'first prompt not delivered'); },
      (err) => s.ctx.log.warn({ err }, 'first prompt not delivered'),
    );
  };

  return {
    name: 'claude-code',
    capabilities: { resume: true, transcript: true, permissions: true, questions: true },
    validResumeId: (id) => CONVERSATION_ID.test(id),

    async start(ctx, { resume, prompt }) {
      live.get(ctx.record.id)?.tracker.dispose();
      const hooks = opts.hooks && hooksReachable(ctx);
      if (opts.hooks && !hooks) ctx.log.warn({ hookUrl: ctx.hookUrl }, 'hook URL has no port yet (server not listening); this launch reads the screen only');
      const s = new LiveSession(ctx, { settleMs: opts.settleMs, hooks, gate: turnEndGate(ctx, opts) });
      live.set(ctx.record.id, s);
      if (!hooks) s.onTurnEnd = toolCounter(ctx, opts, (await toolUses(ctx, opts)).length);
      const ready = await launch(s, resume, { ...opts, hooks });
      if (prompt === undefined) return;
      if (ready === 'box') {
        const r = await send(s, prompt);
        if (!r.delivered) ctx.log.warn({ attempts: r.attempts }, 'first prompt not delivered');
      } else {
        s.pendingPrompt = prompt;
        // The dialog may have been answered while the launch settled, and an idle box repaints
        // no more: without this the prompt would wait for a render that never comes.
        sendHeldPrompt(s);
      }
    },

    onRender(ctx, screen) {
      const s = live.get(ctx.record.id);
      if (!s) return;
      s.onRender(screen.lines);
      if (s.pendingPrompt !== undefined) sendHeldPrompt(s);
    },

    onHook(ctx, hook) {
      const s = live.get(ctx.record.id);
      if (!s || s.exit) return;
      s.onHook(hook);
      // /clear (and the like) starts a new conversation id; follow it so the transcript follows.
      const id = hook.body.session_id;
      if (hook.event === 'SessionStart' && typeof id === 'string' && CONVERSATION_ID.test(id) && id !== ctx.record.agentSessionId) void ctx.update({ agentSessionId: id });
    },

    onExit(ctx, code, signal) {
      const s = live.get(ctx.record.id);
      if (!s) return;
      s.onExit(code, signal);
      live.delete(ctx.record.id);
      if (s.starting) setReason(ctx, `claude exited while starting: ${lastWords(s.read.lines)}`);
      else if ((ctx.record as SessionRecord).reason?.startsWith('no conversation found')) setReason(ctx, undefined);
    },

    send: (ctx, text) => send(get(ctx), text),
    approve: (ctx, option) => { const s = get(ctx); return s.exclusive(() => approve(s, option)); },
    reject: (ctx) => { const s = get(ctx); return s.exclusive(() => reject(s)); },
    answer: (ctx, a) => { const s = get(ctx); return s.exclusive(() => answer(s, a)); },
    // Not queued behind a send: an interrupt must reach a turn while a delivery waits on it.
    interrupt: (ctx) => interrupt(get(ctx)),
    escape: async (ctx) => escape(get(ctx)),

    async transcript(ctx) {
      return toEntries(await conversationText(ctx, opts));
    },

    async usage(ctx) {
      return sumUsage(await conversationText(ctx, opts));
    },

    metrics(ctx): Record<string, number> {
      const s = live.get(ctx.record.id);
      return s ? { hooks: s.hookCount, enterRetries: s.enterRetries, settleWaits: s.tracker.settled } : {};
    },
  };
}
