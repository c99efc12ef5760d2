import { type AgentDriver, NoProcess, NoQuestion, NothingPending, type SessionContext } from '../sessions/index.js';
import { Conversation, type ConversationOptions } from './conversation.js';
import type { AgentLaunch } from './process.js';

/** What differs between ACP agents: their name, how to launch one for a session, their options. */
export interface AcpAgentSpec {
  name: string;
  /** The program, working folder and environment for this session's agent. */
  launch(ctx: SessionContext): AgentLaunch;
  validateOptions?(options: Record<string, unknown>): Record<string, unknown>;
  /** The agent is not in a clean state after a cancel: start it afresh (resuming) after each. */
  replaceAfterCancel?: boolean;
}

/**
 * An agent driver over ACP: one `Conversation` per live session. Same routes, states and events
 * as a PTY driver; state comes from the protocol, never from a screen.
 */
export function createAcpDriver(spec: AcpAgentSpec, options: Omit<ConversationOptions, 'replaceAfterCancel'>): AgentDriver {
  const opts: ConversationOptions = { ...options, replaceAfterCancel: spec.replaceAfterCancel ?? false };
  const live = new Map<string, Conversation>();

  const conv = (ctx: SessionContext): Conversation => {
    const c = live.get(ctx.record.id);
    if (!c) throw new NoProcess(ctx.record.id);
    return c;
  };
  /** The open conversation's turns; before it opens there can be no permission to answer. */
  const open = (ctx: SessionContext) => {
    const turns = conv(ctx).turns;
    if (!turns) throw new NothingPending(ctx.record.id);
    return turns;
  };

  const driver: AgentDriver = {
    name: spec.name,
    // Our transcript is built from the protocol; `resume` brings the agent's own history back
    // (session/resume or session/load) or, failing those, starts a new conversation.
    capabilities: { resume: true, transcript: true, permissions: true, questions: false },

    async start(ctx, { resume, prompt }) {
      const id = ctx.record.id;
      const launch = spec.launch(ctx);
      // As the agent user when one is set: the agent and every terminal it asks for.
      const c = new Conversation(ctx, { ...launch, ...ctx.agentCommand(launch.command, launch.args) }, opts, () => { if (live.get(id) === c) live.delete(id); });
      live.set(id, c);
      if (prompt) c.send(prompt);
      // A conversation brought back (after a restart, or by id) opens in the background: the
      // server's boot must not wait on a slow agent, and the session shows `starting` meanwhile.
      if (resume) void c.start(true, true);
      else await c.start(false);
    },

    async send(ctx, text) {
      conv(ctx).send(text);
      return { delivered: true, attempts: 1 };
    },

    async approve(ctx, option) { open(ctx).approve(option); },
    async reject(ctx) { open(ctx).reject(); },
    async answer(ctx) { throw new NoQuestion(ctx.record.id); },
    async interrupt(ctx) { conv(ctx).interrupt(); },
    // No screen to press Escape on: it means stop, as it does in Claude Code.
    async escape(ctx) { conv(ctx).interrupt(); },

    async stop(ctx) { live.get(ctx.record.id)?.stop(); },

    metrics(ctx) {
      const kept = ctx.record.driver.acp as Record<string, number> | undefined;
      return live.get(ctx.record.id)?.stats() ?? kept ?? { malformedLines: 0, unmatchedAnswers: 0, requestTimeouts: 0 };
    },
  };
  if (spec.validateOptions) driver.validateOptions = spec.validateOptions;
  return driver;
}
