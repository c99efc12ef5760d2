import type { SessionUpdate, ToolCallContent, ToolCallUpdate } from '@agentclientprotocol/sdk';
import type { TokenUsage, TranscriptEntry } from '../sessions/index.js';
import { toolNameOf } from './permissions.js';

type NewEntry = Omit<TranscriptEntry, 'id' | 'index'>;

/** Where a recorder puts what it makes of the agent's updates (the session context, in the driver). */
export interface RecorderSink {
  append(entries: NewEntry[]): void;
  addUsage(usage: Partial<TokenUsage>): void;
  countToolCall(name: string): void;
}

/** Per-turn token figures some agents put in the `session/prompt` answer (ACP `usage`, unstable). */
export interface PromptUsage {
  inputTokens?: number;
  outputTokens?: number;
  cachedReadTokens?: number;
  cachedWriteTokens?: number;
}

interface ToolState { call: Partial<ToolCallUpdate>; recorded: boolean; finished: boolean }

const hasKeys = (v: unknown) => typeof v === 'object' && v !== null && Object.keys(v).length > 0;

function contentText(content: ToolCallContent[] | null | undefined): string {
  return (content ?? []).map((c) => {
    if (c.type === 'content') return c.content.type === 'text' ? c.content.text : `[${c.content.type}]`;
    if (c.type === 'diff') return `diff of ${c.path}`;
    return `terminal ${c.terminalId}`;
  }).join('\n');
}

/**
 * Turns `session/update` notifications into transcript entries: streamed chunks are coalesced into
 * one entry per run (a tool call or the end of the turn closes it), a tool call becomes a
 * `tool_use` entry once its input is known and a `tool_result` when it finishes, plans become
 * `system` entries, usage and cost go to the session's counters.
 */
export class TurnRecorder {
  private buffer: { role: 'assistant' | 'system'; text: string } | undefined;
  private readonly tools = new Map<string, ToolState>();
  private lastCost: number | undefined;

  constructor(private readonly sink: RecorderSink) {}

  update(u: SessionUpdate): void {
    switch (u.sessionUpdate) {
      case 'agent_message_chunk':
      case 'agent_thought_chunk': {
        if (u.content.type !== 'text' || !u.content.text) return;
        const role = u.sessionUpdate === 'agent_message_chunk' ? 'assistant' : 'system';
        if (this.buffer && this.buffer.role !== role) this.flushText();
        this.buffer ??= { role, text: '' };
        this.buffer.text += u.content.text;
        return;
      }
      case 'tool_call':
      case 'tool_call_update':
        return this.tool(u);
      case 'plan':
        this.flushText();
        this.sink.append([{ role: 'system', text: ['Plan:', ...u.entries.map((e) => `[${e.status}] ${e.content}`)].join('\n') }]);
        return;
      case 'usage_update':
        return this.cost(u.cost?.amount);
      default:
        // Commands, modes, config, session info and user echoes change nothing in the transcript.
        return;
    }
  }

  /**
   * Records a tool call the agent asks permission for (its input is final by then) and returns
   * everything known of it, since agents may leave out of the request what their updates said.
   */
  permissionAsked(call: Partial<ToolCallUpdate>): Partial<ToolCallUpdate> {
    if (!call.toolCallId) {
      this.flushText();
      return call;
    }
    this.tool({ ...call, toolCallId: call.toolCallId }, true);
    return this.tools.get(call.toolCallId)!.call;
  }

  /** Closes the turn: buffered text and tool calls not yet written are written, with usage. */
  endTurn(stopReason?: string, usage?: PromptUsage): void {
    this.flushText();
    for (const t of this.tools.values()) this.record(t);
    this.tools.clear();
    if (stopReason && stopReason !== 'end_turn') this.sink.append([{ role: 'system', text: `Turn ended: ${stopReason}` }]);
    if (usage) {
      this.sink.addUsage({
        inputTokens: usage.inputTokens ?? 0, outputTokens: usage.outputTokens ?? 0,
        cacheReadTokens: usage.cachedReadTokens ?? 0, cacheCreationTokens: usage.cachedWriteTokens ?? 0,
      });
    }
  }

  flushText(): void {
    const b = this.buffer;
    this.buffer = undefined;
    if (b?.text.trim()) this.sink.append([{ role: b.role, text: b.role === 'system' ? `Thinking: ${b.text}` : b.text }]);
  }

  private tool(u: Partial<ToolCallUpdate> & { toolCallId: string }, force = false): void {
    const known = this.tools.get(u.toolCallId);
    // A new call closes the text run before it, so the transcript keeps the order things happened in.
    if (!known) this.flushText();
    const merged: Partial<ToolCallUpdate> = { ...known?.call };
    for (const [k, v] of Object.entries(u)) if (v !== undefined && v !== null && k !== 'sessionUpdate') (merged as Record<string, unknown>)[k] = v;
    const t: ToolState = known ?? { call: merged, recorded: false, finished: false };
    t.call = merged;
    this.tools.set(u.toolCallId, t);
    const status = merged.status;
    // claude-agent-acp announces a call with an empty input and sends the input in an update.
    if (force || hasKeys(merged.rawInput) || (status && status !== 'pending')) this.record(t);
    if ((status === 'completed' || status === 'failed') && !t.finished) {
      t.finished = true;
      const out = contentText(merged.content) || (typeof merged.rawOutput === 'string' ? merged.rawOutput : JSON.stringify(merged.rawOutput ?? ''));
      this.sink.append([{ role: 'tool_result', text: status === 'failed' ? `failed: ${out}` : out, toolName: this.nameOf(merged) }]);
    }
  }

  private record(t: ToolState): void {
    if (t.recorded) return;
    t.recorded = true;
    this.flushText();
    const name = this.nameOf(t.call);
    this.sink.countToolCall(name);
    this.sink.append([{ role: 'tool_use', text: t.call.title ?? name, toolName: name, toolInput: t.call.rawInput ?? {} }]);
  }

  private nameOf(call: Partial<ToolCallUpdate>): string {
    return toolNameOf(call) ?? call.kind ?? call.title ?? 'tool';
  }

  /** ACP reports the session's cumulative cost; a drop means a new agent process started counting afresh. */
  private cost(amount: number | undefined): void {
    if (typeof amount !== 'number' || !Number.isFinite(amount)) return;
    const delta = this.lastCost === undefined || amount < this.lastCost ? amount : amount - this.lastCost;
    this.lastCost = amount;
    if (delta > 0) this.sink.addUsage({ costUsd: delta });
  }
}
