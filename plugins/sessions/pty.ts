import { spawn as spawnPty, type IPty } from 'node-pty';
import xterm from '@xterm/headless';
import serializeAddon from '@xterm/addon-serialize';
import type { Logger } from 'pino';
import type { PtyHandle } from './driver.js';
import type { PtySpec, ScreenSnapshot } from './types.js';
import { NoProcess } from './errors.js';
import { signalName, terminateGroup } from './process-group.js';
import { resolveExecutable } from './executable.js';
import { serverEnv } from '../../kernel/index.js';

/** How a TerminalPty renders and reports. */
export interface TerminalPtyOptions {
  cols: number;
  rows: number;
  scrollback: number;
  /** Repaints reach `onRender` at most once per this many ms. */
  renderIntervalMs: number;
  onRender: () => void;
  /** Every chunk of raw output, as it arrives (recording, live terminals). */
  onOutput?: (data: string) => void;
  /** After the process ended and every byte it wrote has been parsed and rendered. */
  onExit: (code: number | null, signal: string | null) => void;
  log: Logger;
}

/**
 * One agent process in a PTY, its output parsed by a headless xterm so the screen model is always
 * current. Repaints are pushed by the terminal's write-parsed notification and coalesced; nothing
 * polls. The process is spawned directly (resolved path, no shell) and leads its own process group.
 */
export class TerminalPty implements PtyHandle {
  readonly pid: number;
  /** Resolves with the exit once the process ended and its output is rendered. */
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
  private readonly pty: IPty;
  private term: InstanceType<typeof xterm.Terminal> | undefined;
  private serializer: InstanceType<typeof serializeAddon.SerializeAddon> | undefined;
  private lastScreen: ScreenSnapshot;
  private renderTimer: NodeJS.Timeout | undefined;
  private lastRenderAt = 0;
  private renderWaiters = new Set<(ok: boolean) => void>();
  /** PTY chunks handed to the terminal and not parsed yet; `drained` runs when it drops to 0. */
  private pendingWrites = 0;
  private drained: (() => void) | undefined;
  private done = false;
  private lastSerialized = '';

  constructor(spec: PtySpec, private readonly opts: TerminalPtyOptions) {
    const cols = spec.cols ?? opts.cols;
    const rows = spec.rows ?? opts.rows;
    const file = resolveExecutable(spec.command, spec.cwd, spec.env.PATH ?? serverEnv().PATH ?? '');
    this.term = new xterm.Terminal({ cols, rows, scrollback: opts.scrollback, allowProposedApi: true });
    this.lastScreen = { lines: [], cursor: { x: 0, y: 0 }, cols, rows };
    this.term.onWriteParsed(() => this.scheduleRender());
    this.serializer = new serializeAddon.SerializeAddon();
    this.term.loadAddon(this.serializer as never);
    try {
      this.pty = spawnPty(file, spec.args, { name: 'xterm-256color', cols, rows, cwd: spec.cwd, env: spec.env });
    } catch (err) {
      this.term.dispose();
      throw err;
    }
    this.pid = this.pty.pid;
    this.pty.onData((data) => {
      if (!this.term) return;
      try {
        opts.onOutput?.(data);
      } catch (err) {
        opts.log.error({ err }, 'output handler threw');
      }
      this.pendingWrites++;
      this.term.write(data, () => { if (--this.pendingWrites === 0) this.drained?.(); });
    });
    this.exited = new Promise((resolve) => {
      this.pty.onExit(({ exitCode, signal }) => {
        const exit = { code: signal ? null : exitCode, signal: signalName(signal) };
        const finish = () => {
          if (this.renderTimer) this.flushRender();
          this.lastScreen = this.snapshot();
          this.lastSerialized = this.serialize();
          this.serializer = undefined;
          this.done = true;
          this.term?.dispose();
          this.term = undefined;
          for (const w of this.renderWaiters) w(false);
          this.renderWaiters.clear();
          opts.onExit(exit.code, exit.signal);
          resolve(exit);
        };
        // Wait until the parser has taken every byte, then one more turn: a write callback can run
        // before its batch's write-parsed notification, which schedules the last repaint.
        const go = () => setImmediate(finish);
        if (this.pendingWrites === 0) go(); else this.drained = go;
      });
    });
  }

  /** True once the process has ended. */
  get ended(): boolean {
    return this.done;
  }

  write(data: string): void {
    if (this.done) throw new NoProcess(String(this.pid));
    this.pty.write(data);
  }

  resize(cols: number, rows: number): void {
    if (this.done) return;
    this.pty.resize(cols, rows);
    this.term?.resize(cols, rows);
  }

  /** The visible screen: the rows of the active buffer from its base, right-trimmed. */
  snapshot(): ScreenSnapshot {
    const term = this.term;
    if (!term) return this.lastScreen;
    const buf = term.buffer.active;
    const lines: string[] = [];
    for (let y = 0; y < term.rows; y++) lines.push(buf.getLine(buf.baseY + y)?.translateToString(true) ?? '');
    return { lines, cursor: { x: buf.cursorX, y: buf.cursorY }, cols: term.cols, rows: term.rows };
  }

  /**
   * The screen (with scrollback, colours and cursor) as the escape sequences that redraw it, so a
   * terminal that joins late starts from what is shown now and then follows the raw output.
   */
  serialize(): string {
    if (!this.term || !this.serializer) return this.lastSerialized;
    return this.serializer.serialize({ scrollback: 200 });
  }

  /** Resolves true after the next repaint, false after `timeoutMs` or when the process ends. */
  nextRender(timeoutMs: number): Promise<boolean> {
    if (this.done) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => { this.renderWaiters.delete(settle); resolve(false); }, timeoutMs);
      const settle = (ok: boolean) => { clearTimeout(timer); resolve(ok); };
      this.renderWaiters.add(settle);
    });
  }

  /** SIGTERM to the group, SIGKILL to what is left after `graceMs`; resolves once the leader is gone. */
  async terminate(graceMs: number): Promise<void> {
    if (this.done) return;
    await terminateGroup(this.pid, graceMs, this.exited);
    // SIGKILL has been sent by now; the bound only keeps a wedged kernel from hanging shutdown.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.exited, new Promise((r) => { timer = setTimeout(r, 5000); })]);
    clearTimeout(timer);
  }

  private scheduleRender(): void {
    if (this.renderTimer) return;
    const wait = Math.max(0, this.lastRenderAt + this.opts.renderIntervalMs - Date.now());
    this.renderTimer = setTimeout(() => this.flushRender(), wait);
  }

  private flushRender(): void {
    if (this.renderTimer) clearTimeout(this.renderTimer);
    this.renderTimer = undefined;
    this.lastRenderAt = Date.now();
    try {
      this.opts.onRender();
    } catch (err) {
      this.opts.log.error({ err }, 'render handler threw');
    }
    const waiters = [...this.renderWaiters];
    this.renderWaiters.clear();
    for (const w of waiters) w(true);
  }
}
