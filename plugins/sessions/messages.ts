import type { Logger } from 'pino';
import type { EventBus } from '../../kernel/index.js';
import type { SessionState, TranscriptEntry } from './types.js';
import './events.js';

/** Longest text a `session.message` event carries; the transcript route has the rest. */
export const MESSAGE_TEXT_LIMIT = 4000;

/** States at which a driver's own transcript holds what the agent did since the last look. */
const SETTLED: ReadonlySet<SessionState> = new Set(['idle', 'permission_prompt', 'ask_question', 'plan_mode', 'error', 'rate_limit', 'exited']);

/**
 * Turns new transcript entries into `session.message` events. Entries the runtime appends are
 * announced at once; a driver that keeps its own transcript (Claude Code's JSONL) is read when the
 * session settles, and the entries past the last one announced go out in order. After a restart
 * the first read only sets the mark, so old entries are not announced again.
 */
export class MessageFeed {
  /** Entries announced so far; undefined until the first read of a restored session. */
  private announced: number | undefined;
  private reading: Promise<void> = Promise.resolve();

  constructor(
    private readonly events: EventBus,
    private readonly base: () => { sessionId: string; tenantId?: string },
    private readonly read: (() => Promise<TranscriptEntry[]>) | undefined,
    private readonly log: Logger,
  ) {}

  /** A new session: everything in its transcript is news. */
  startFresh(): void {
    this.announced ??= 0;
  }

  /** Entries the runtime itself appended. */
  appended(entries: TranscriptEntry[]): void {
    for (const e of entries) this.announce(e);
  }

  /** The session reached `state`; a driver-kept transcript is read once it settles. */
  stateChanged(state: SessionState): void {
    if (!this.read || !SETTLED.has(state)) return;
    const read = this.read;
    this.reading = this.reading.then(async () => {
      const entries = await read();
      if (this.announced === undefined) { this.announced = entries.length; return; }
      // A new conversation (e.g. /clear) starts the transcript again.
      if (entries.length < this.announced) this.announced = 0;
      for (const e of entries.slice(this.announced)) this.announce(e);
      this.announced = entries.length;
    }).catch((err) => this.log.warn({ err }, 'reading the transcript for session.message failed'));
  }

  private announce(e: TranscriptEntry): void {
    const cut = e.text.length > MESSAGE_TEXT_LIMIT;
    this.events.emit('session.message', {
      ...this.base(), at: e.at ?? new Date().toISOString(), index: e.index, entryId: e.id, role: e.role,
      text: cut ? e.text.slice(0, MESSAGE_TEXT_LIMIT) : e.text, ...(cut ? { truncated: true } : {}),
      ...(e.toolName !== undefined ? { toolName: e.toolName } : {}),
    });
  }
}
