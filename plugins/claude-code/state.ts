import type { PendingPermission, PendingQuestion, SessionState, StateReport } from '../sessions/index.js';
import type { ScreenRead } from './screen/read.js';

/** Where state reports go (the session context) and what was reported last. */
export interface StateSink {
  report(r: StateReport): void;
  state(): StateReport;
}

/** The tool call the CLI announced last (PreToolUse), to name what a permission prompt is about. */
interface LastTool {
  name: string;
  input: Record<string, unknown>;
}

const IDLE_LIKE = new Set<SessionState>(['idle', 'error', 'rate_limit']);
const BUSY = new Set<SessionState>(['working', 'compacting']);

/** The exact thing a tool wants, from its input: the command, the file, the URL. */
export function describeInput(name: string, input: Record<string, unknown>): string | undefined {
  const v = input.command ?? input.file_path ?? input.notebook_path ?? input.url ?? input.plan;
  return typeof v === 'string' ? v : name === 'ExitPlanMode' ? undefined : JSON.stringify(input);
}

/**
 * Combines the three signals into one reported state. The screen is the only source of dialogs
 * (their options are drawn, not hooked) and is reported the moment it is seen. Hooks mark turns:
 * UserPromptSubmit/PreToolUse/PostToolUse start or continue one (working), Stop ends it (idle),
 * StopFailure ends it in error, PreCompact means compacting. Where they disagree, the newer signal
 * wins only once it has held: a spinner still drawn just after Stop, or a box without spinner in
 * the middle of a hooked turn, is believed after `settleMs` (one timer, re-armed, never polled),
 * unless the screen shows the turn's end (`✻ Worked for 3s`, `Interrupted`), which needs no wait.
 */
/** Time as the tracker sees it: the real one in the server, a fake one that tests advance. */
export interface Clock {
  now(): number;
  /** Runs `fn` once after `ms`; the timer must not keep the process alive. */
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout | undefined),
};

export class StateTracker {
  private turn: 'unknown' | 'active' | 'ended' = 'unknown';
  private turnAt = 0;
  /** When the screen began to show an idle box during a hooked turn (0: it does not). */
  private idleSince = 0;
  private lastTool: LastTool | undefined;
  private timer: unknown;
  /** The turn's end, held until the transcript has caught up (see `gate`). */
  private held: { state: SessionState; cause: string } | undefined;
  /** When the screen last turned busy (a turn's start, for the transcript without hooks). */
  private busySince = 0;
  /** How many readings had to hold for the settle time (driver metrics). */
  settled = 0;
  /** What the CLI's PermissionRequest hook said it now asks, until the tool runs or the turn ends. */
  private asked: LastTool | undefined;
  private askedTimer: unknown;

  constructor(
    private readonly sink: StateSink,
    private readonly screen: () => ScreenRead,
    private readonly opts: { settleMs: number; hooks: boolean },
    private readonly clock: Clock = systemClock,
    /**
     * Resolves once the transcript shows how a turn ended (the CLI writes its file a little after
     * Stop), so a client that sees `idle` finds the reply in the transcript. Bounded by the caller.
     */
    private readonly gate?: (event: string, body: Record<string, unknown>) => Promise<void> | undefined,
  ) {}

  /** A new screen reading. */
  onScreen(read: ScreenRead): void {
    const s = read.state;
    if (!s || s === 'exited' || s === 'starting') return;
    if (read.dialog) {
      this.held = undefined;
      return this.emit(read, s, read.cause);
    }
    const now = this.clock.now();
    const settle = this.opts.settleMs;
    if (BUSY.has(s)) {
      this.idleSince = 0;
      // A spinner still drawn just after Stop is a stale frame until it holds.
      if (this.opts.hooks && this.turn === 'ended' && now - this.turnAt < settle) return this.later(this.turnAt + settle - now);
      if (this.turn === 'ended') this.turn = 'unknown';
      this.held = undefined;
      if (!BUSY.has(this.sink.state().state)) this.busySince = now;
      return this.emit(read, s, read.cause);
    }
    if (this.opts.hooks && this.turn === 'active') {
      // An end marker drawn well after the turn began is final; any other idle box must hold.
      const final = read.ended === true && now - this.turnAt >= settle;
      if (!final) {
        this.idleSince ||= now;
        if (now - this.idleSince < settle) return this.later(this.idleSince + settle - now);
      }
      this.turn = 'unknown';
    }
    // Without hooks, a box with neither spinner nor end line right after work is a gap between two
    // steps of the turn (2.1.332 draws one between a tool's result and the next request) until it held.
    if (!this.opts.hooks && !read.ended && BUSY.has(this.sink.state().state)) {
      this.idleSince ||= now;
      if (now - this.idleSince < settle) return this.later(this.idleSince + settle - now);
    }
    this.idleSince = 0;
    if (this.held) return;
    // Without hooks the end of a turn is seen on screen first; hold it for the transcript too.
    const wait = !this.opts.hooks && read.ended && BUSY.has(this.sink.state().state) ? this.gate?.('screen', { since: this.busySince }) : undefined;
    if (wait) return this.hold(wait, s, read.cause, () => { const r = this.screen(); if (r.box && !r.dialog) this.emit(r, s, read.cause); });
    this.emit(read, s, read.cause);
  }

  /** A hook from the CLI. */
  onHook(event: string, body: Record<string, unknown>): void {
    const read = this.screen();
    switch (event) {
      case 'PreToolUse':
        if (typeof body.tool_name === 'string') this.lastTool = { name: body.tool_name, input: (body.tool_input ?? {}) as Record<string, unknown> };
        this.asked = undefined;
        return this.mark('active', read, 'working', `hook:${event}`);
      case 'PermissionRequest':
        return this.onAsked(body);
      case 'UserPromptSubmit':
      case 'PostToolUse':
      case 'SubagentStop':
        this.asked = undefined;
        return this.mark('active', read, 'working', `hook:${event}`);
      case 'PreCompact':
        return this.mark('active', read, 'compacting', `hook:${event}`);
      case 'Stop':
        this.asked = undefined;
        return this.end(event, body, 'idle');
      case 'StopFailure':
        this.asked = undefined;
        return this.end(event, body, body.error === 'rate_limit' ? 'rate_limit' : 'error');
      default:
        return undefined;
    }
  }

  /** Stops the settle timer (the process ended). */
  dispose(): void {
    this.held = undefined;
    this.asked = undefined;
    this.clock.clearTimeout(this.askedTimer);
    this.askedTimer = undefined;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /**
   * PermissionRequest: the CLI is about to ask. The screen is the better source (it has the options
   * to pick from), so this only counts if, `settleMs` later, the screen still shows no dialog it can
   * read and no input box: a release whose dialog layout the parsers do not know yet. The session
   * then still shows the right state and what is asked (tool and input, or the question), with no
   * options: detail degrades, the state does not.
   */
  private onAsked(body: Record<string, unknown>): void {
    if (typeof body.tool_name !== 'string') return;
    this.asked = { name: body.tool_name, input: (body.tool_input ?? {}) as Record<string, unknown> };
    this.clock.clearTimeout(this.askedTimer);
    this.askedTimer = this.clock.setTimeout(() => {
      this.askedTimer = undefined;
      const read = this.screen();
      const asked = this.asked;
      if (!asked || read.dialog || read.box || read.state === 'exited') return;
      this.sink.report(askedReport(asked));
    }, Math.max(1, this.opts.settleMs));
  }

  /** Stop/StopFailure: the turn is over; reported once the transcript has it (or the gate gives up). */
  private end(event: string, body: Record<string, unknown>, state: SessionState): void {
    const wait = this.gate?.(event, body);
    if (!wait) return this.mark('ended', this.screen(), state, `hook:${event}`);
    this.turn = 'ended';
    this.turnAt = this.clock.now();
    this.hold(wait, state, `hook:${event}`, () => this.mark('ended', this.screen(), state, `hook:${event}`));
  }

  /** Holds back the end of a turn until `wait` settles; a turn that starts meanwhile drops it. */
  private hold(wait: Promise<void>, state: SessionState, cause: string, release: () => void): void {
    const held = { state, cause };
    this.held = held;
    void wait.catch(() => undefined).then(() => {
      if (this.held !== held) return;
      this.held = undefined;
      release();
    });
  }

  private mark(turn: 'active' | 'ended', read: ScreenRead, state: SessionState, cause: string): void {
    if (turn === 'active') this.held = undefined;
    this.turn = turn;
    this.turnAt = this.clock.now();
    this.idleSince = 0;
    // A dialog on screen is what the agent waits for; no hook outranks it.
    if (read.dialog) return;
    this.emit(read, state, cause);
    // Should no spinner ever come (a command that ends at once), the idle box is believed once it held.
    if (turn === 'active' && read.box && IDLE_LIKE.has(read.state!)) {
      this.idleSince = this.turnAt;
      this.later(this.opts.settleMs);
    }
  }

  /** Reads the screen again after `ms` (one timer, re-armed; nothing polls). */
  private later(ms: number): void {
    this.settled++;
    this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.onScreen(this.screen());
    }, Math.max(1, ms));
  }

  private emit(read: ScreenRead, state: SessionState, cause: string): void {
    const report: StateReport = { state, cause };
    if (read.pendingPermission && read.dialog) report.pendingPermission = this.refine(read.pendingPermission);
    if (read.pendingQuestion && read.dialog) report.pendingQuestion = read.pendingQuestion;
    const cur = this.sink.state();
    if (cur.state === report.state && JSON.stringify(cur.pendingPermission) === JSON.stringify(report.pendingPermission)
      && JSON.stringify(cur.pendingQuestion) === JSON.stringify(report.pendingQuestion)) return;
    this.sink.report(report);
  }

  /** The exact tool input (PreToolUse comes before its prompt is drawn) instead of the wrapped screen text. */
  private refine(p: PendingPermission): PendingPermission {
    const tool = this.lastTool;
    if (!tool || (p.kind === 'tool' && tool.name !== p.tool) || p.kind === 'trust') return p;
    if (p.kind === 'plan' && (tool.name !== 'ExitPlanMode' || p.detail)) return p;
    const detail = describeInput(tool.name, tool.input);
    return detail === undefined ? p : { ...p, detail };
  }
}

/** The state a PermissionRequest hook stands for when the screen cannot show it: a question, a plan or a tool. */
export function askedReport(asked: { name: string; input: Record<string, unknown> }): StateReport {
  const cause = 'hook:PermissionRequest';
  if (asked.name === 'AskUserQuestion') {
    const q = ((asked.input.questions as unknown[] | undefined)?.[0] ?? {}) as Record<string, unknown>;
    const options = Array.isArray(q.options) ? q.options as Array<Record<string, unknown>> : [];
    const pendingQuestion: PendingQuestion = {
      question: String(q.question ?? ''),
      ...(typeof q.header === 'string' ? { header: q.header } : {}),
      options: options.map((o, i) => ({ number: i + 1, label: String(o.label ?? ''), ...(typeof o.description === 'string' ? { description: o.description } : {}) })),
      ...(q.multiSelect === true ? { multiSelect: true } : {}),
    };
    return { state: 'ask_question', cause, pendingQuestion };
  }
  if (asked.name === 'ExitPlanMode') {
    return { state: 'plan_mode', cause, pendingPermission: { kind: 'plan', tool: 'ExitPlanMode', detail: typeof asked.input.plan === 'string' ? asked.input.plan : '', options: [] } };
  }
  return { state: 'permission_prompt', cause, pendingPermission: { kind: 'tool', tool: asked.name, detail: describeInput(asked.name, asked.input) ?? '', options: [] } };
}
