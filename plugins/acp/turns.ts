import type { PromptResponse } from '@agentclientprotocol/sdk';
import { NothingPending, type SessionContext } from '../sessions/index.js';
import { AcpAgentExited, AcpRequestTimeout } from './errors.js';
import type { JsonRpcPeer } from './jsonrpc.js';
import { approveOutcome, rejectOutcome, type PermissionQueue } from './permissions.js';
import type { PromptUsage, TurnRecorder } from './recorder.js';

/** What the turns need from their conversation (the Conversation class is one). */
export interface TurnHost {
  readonly permissions: PermissionQueue;
  readonly recorder: TurnRecorder;
  /** True once the session is being stopped: an ending prompt is not an error then. */
  readonly stopping: boolean;
  /** Brings the conversation back in a fresh agent process. */
  replace(): Promise<void>;
}

/** Raised locally when an agent does not end a cancelled prompt in time; the turn is given up. */
class CancelUnanswered extends Error {}

interface Turn { done: Promise<void>; abandon?: () => void; cancelTimer?: NodeJS.Timeout }

/**
 * The prompts of one conversation, one at a time: `send` queues a message, each runs as a
 * `session/prompt` (bounded by `promptTimeoutMs`) with the session `working`, `permission_prompt`
 * while the agent waits on a held permission, and `idle` (or `error`, with why) when it ends.
 */
export class Turns {
  private readonly queue: string[] = [];
  private current: Turn | undefined;
  private retired = false;

  constructor(
    private readonly ctx: SessionContext, private readonly peer: JsonRpcPeer, private readonly sessionId: string,
    private readonly conv: TurnHost, private readonly opts: { requestTimeoutMs: number; promptTimeoutMs: number; replaceAfterCancel: boolean },
  ) {}

  /** Queues a message (already in the transcript); it is delivered as soon as the agent is free. */
  send(text: string): void {
    this.queue.push(text);
    this.pump();
  }

  /** Stops taking turns (the agent process is being replaced); returns the messages not yet sent. */
  retire(): string[] {
    this.retired = true;
    return this.queue.splice(0);
  }

  /** Resolves once no prompt runs. */
  async settled(): Promise<void> {
    while (this.current) await this.current.done;
  }

  /** A held permission changed: shows the oldest one, or goes back to work. */
  showPermission(): void {
    const pending = this.conv.permissions.current();
    if (pending) {
      this.conv.recorder.flushText();
      this.ctx.report({ state: 'permission_prompt', cause: 'acp:request_permission', pendingPermission: pending });
    } else {
      this.ctx.report({ state: this.current ? 'working' : 'idle', cause: 'acp:permission-answered' });
    }
  }

  approve(option?: number): void {
    if (!this.conv.permissions.answer((options) => approveOutcome(options, option))) throw new NothingPending(this.ctx.record.id);
    this.showPermission();
  }

  reject(): void {
    if (!this.conv.permissions.answer(rejectOutcome)) throw new NothingPending(this.ctx.record.id);
    this.showPermission();
  }

  /**
   * `session/cancel` for the running prompt, `cancelled` for every held permission, and queued
   * messages dropped. An agent that does not end the prompt within `requestTimeoutMs` is given up on.
   */
  interrupt(): void {
    const dropped = this.queue.splice(0).length;
    if (dropped) this.ctx.appendTranscript([{ role: 'system', text: `Interrupted: ${dropped} queued message(s) dropped.` }]);
    const turn = this.current;
    if (!turn) return;
    // The held permission is answered now, so the session no longer shows it while the turn ends.
    if (this.conv.permissions.cancelAll()) this.ctx.report({ state: 'working', cause: 'acp:cancelling' });
    this.peer.notify('session/cancel', { sessionId: this.sessionId });
    turn.cancelTimer ??= setTimeout(() => turn.abandon?.(), this.opts.requestTimeoutMs);
  }

  private pump(): void {
    if (this.current || this.retired || this.peer.closed) return;
    const text = this.queue.shift();
    if (text === undefined) return;
    const turn: Turn = { done: Promise.resolve() };
    this.current = turn;
    this.ctx.report({ state: 'working', cause: 'acp:prompt' });
    turn.done = this.run(text, turn).finally(() => {
      clearTimeout(turn.cancelTimer);
      this.current = undefined;
      this.pump();
    });
  }

  private async run(text: string, turn: Turn): Promise<void> {
    const abandoned = new Promise<never>((_, reject) => { turn.abandon = () => reject(new CancelUnanswered()); });
    abandoned.catch(() => undefined);
    const prompt = this.peer.request<PromptResponse & { usage?: PromptUsage | null }>(
      'session/prompt', { sessionId: this.sessionId, prompt: [{ type: 'text', text }] }, this.opts.promptTimeoutMs,
    );
    try {
      const res = await Promise.race([prompt, abandoned]);
      this.conv.recorder.endTurn(res?.stopReason, res?.usage ?? undefined);
      this.ctx.report({ state: 'idle', cause: `acp:stop:${res?.stopReason ?? 'unknown'}` });
      if (res?.stopReason === 'cancelled' && this.opts.replaceAfterCancel && !this.conv.stopping) void this.conv.replace();
    } catch (err) {
      prompt.catch(() => undefined);
      this.conv.recorder.endTurn();
      this.conv.permissions.cancelAll();
      this.failed(err as Error);
    }
  }

  private failed(err: Error): void {
    if (err instanceof CancelUnanswered) {
      this.ctx.log.warn('ACP agent did not end a cancelled prompt; given up on it');
      this.ctx.report({ state: 'idle', cause: 'acp:cancel-unanswered' });
    } else if (err instanceof AcpAgentExited) {
      if (!this.conv.stopping) this.ctx.report({ state: 'error', cause: `acp:agent-exited: ${err.message}` });
    } else if (err instanceof AcpRequestTimeout) {
      this.peer.notify('session/cancel', { sessionId: this.sessionId });
      this.ctx.appendTranscript([{ role: 'system', text: `The agent did not finish within ${this.opts.promptTimeoutMs} ms; the prompt was cancelled.` }]);
      this.ctx.report({ state: 'error', cause: 'acp:prompt-timeout' });
      if (this.opts.replaceAfterCancel && !this.conv.stopping) void this.conv.replace();
    } else {
      this.ctx.log.warn({ err }, 'ACP prompt failed');
      this.ctx.appendTranscript([{ role: 'system', text: `The agent failed: ${err.message}` }]);
      this.ctx.report({ state: 'error', cause: `acp:prompt-failed: ${err.message}`.slice(0, 500) });
    }
  }
}
