import type { HookEvent, SessionContext, StateReport } from '../sessions/index.js';
import { readScreen, type ScreenRead } from './screen/read.js';
import { StateTracker, systemClock } from './state.js';

/** Options a live session needs from the driver. */
export interface LiveOptions {
  settleMs: number;
  hooks: boolean;
  /** Holds the report of a turn's end until the transcript shows it (see StateTracker). */
  gate?: (event: string, body: Record<string, unknown>) => Promise<void> | undefined;
}

/** A hook as remembered for delivery proofs. */
interface SeenHook {
  event: string;
  at: number;
  body: Record<string, unknown>;
}

const KEEP_HOOKS = 64;
const TURN_END = new Set(['idle', 'error', 'rate_limit']);

/**
 * What the driver knows about one running CLI: the latest screen reading, recent hooks, the
 * state tracker, and a way to wait for any of them to say something. Waiting is event-driven:
 * every repaint, hook and exit wakes the waiters, who look again; a timer only bounds the wait.
 */
export class LiveSession {
  read: ScreenRead;
  readonly tracker: StateTracker;
  /** SessionStart arrived for the current launch: the CLI has finished starting and takes input. */
  started = false;
  exit: { code: number | null; signal: string | null } | undefined;
  /** True between spawning the CLI and it reaching its box or a dialog. */
  starting = true;
  /** A first prompt held back until a start-up dialog is answered. */
  pendingPrompt: string | undefined;
  lastEscAt = 0;
  enterRetries = 0;
  hookCount = 0;
  readonly hooks: SeenHook[] = [];
  /** Without hooks: called when a turn ends (idle, error, rate limit), to count tools from the transcript. */
  onTurnEnd: (() => void) | undefined;
  private readonly countedTools = new Set<string>();
  private readonly waiters = new Set<() => void>();
  private chain: Promise<unknown> = Promise.resolve();

  constructor(readonly ctx: SessionContext, readonly opts: LiveOptions) {
    this.read = readScreen(ctx.screen().lines);
    const sink = {
      report: (r: StateReport) => {
        ctx.report(r);
        if (TURN_END.has(r.state)) this.onTurnEnd?.();
      },
      state: () => ctx.state(),
    };
    this.tracker = new StateTracker(sink, () => this.read, opts, systemClock, opts.gate);
  }

  /** A repaint: read the screen once, tell the tracker, wake the waiters. */
  onRender(lines: readonly string[]): void {
    this.read = readScreen(lines);
    this.tracker.onScreen(this.read);
    this.wake();
  }

  onHook(hook: HookEvent): void {
    this.hookCount++;
    this.hooks.push({ event: hook.event, at: hook.at, body: hook.body });
    if (this.hooks.length > KEEP_HOOKS) this.hooks.shift();
    if (hook.event === 'SessionStart') this.started = true;
    if (hook.event === 'PreToolUse') this.countTool(hook.body);
    this.tracker.onHook(hook.event, hook.body);
    this.wake();
  }

  onExit(code: number | null, signal: string | null): void {
    this.exit = { code, signal };
    this.tracker.dispose();
    this.wake();
  }

  /** The newest hook of `event` received at or after `since`. */
  hookSince(event: string, since: number): SeenHook | undefined {
    for (let i = this.hooks.length - 1; i >= 0; i--) {
      const h = this.hooks[i]!;
      if (h.at < since) return undefined;
      if (h.event === event) return h;
    }
    return undefined;
  }

  /**
   * Resolves with the first defined value of `check`, looked at now and after every repaint, hook
   * and exit; resolves undefined after `ms`.
   */
  until<T>(check: () => T | undefined, ms: number): Promise<T | undefined> {
    const first = check();
    if (first !== undefined || ms <= 0) return Promise.resolve(first);
    return new Promise((resolve) => {
      const look = () => {
        const v = check();
        if (v === undefined) return;
        done(v);
      };
      const done = (v: T | undefined) => {
        clearTimeout(timer);
        this.waiters.delete(look);
        resolve(v);
      };
      const timer = setTimeout(() => done(undefined), ms);
      this.waiters.add(look);
    });
  }

  /** Runs input actions one at a time, so two sends (or a send and an approve) never interleave keys. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.chain.then(work, work);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private countTool(body: Record<string, unknown>): void {
    const id = typeof body.tool_use_id === 'string' ? body.tool_use_id : undefined;
    if (typeof body.tool_name !== 'string' || (id && this.countedTools.has(id))) return;
    if (id) this.countedTools.add(id);
    this.ctx.countToolCall(body.tool_name);
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}
