import type xtermModule from '@xterm/headless';
import type serializeModule from '@xterm/addon-serialize';
import type { Logger } from 'pino';
import type { PtyHandle } from './driver.js';
import type { PtyHost, PtyProcess } from './pty-host.js';
import type { PtySpec, ScreenSnapshot } from './types.js';
import { NoProcess } from './errors.js';
import { terminateGroup } from './process-group.js';
import { resolveExecutable } from './executable.js';
import { serverEnv } from '../../kernel/index.js';
import { Slicer } from './slicer.js';

/** Terminal set-up and tear-down take a few ms each; bursts of them are spread over loop turns. */
const slicer = new Slicer(8);

type Xterm = typeof xtermModule;
type Serialize = typeof serializeModule;
let xtermLoaded: Promise<{ xterm: Xterm; serialize: Serialize }> | undefined;

/** The screen model's modules, loaded on the first spawn: an idle server never pays for them. */
function loadXterm(): Promise<{ xterm: Xterm; serialize: Serialize }> {
  xtermLoaded ??= Promise.all([import('@xterm/headless'), import('@xterm/addon-serialize')])
    .then(([x, s]) => ({ xterm: x.default, serialize: s.default }));
  xtermLoaded.catch(() => { xtermLoaded = undefined; });
  return xtermLoaded;
}

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
  /** Where the process runs. */
  host: PtyHost;
}

/**
 * One agent process in a PTY, its output parsed by a headless xterm so the screen model is always
 * current. Repaints are pushed by the terminal's write-parsed notification and coalesced; nothing
 * polls. The process is spawned directly (resolved path, no shell) by the PtyHost and leads its
 * own process group; the screen model stays here, so drivers read snapshots synchronously.
 */
export class TerminalPty implements PtyHandle {
  /** Starts `spec` on `opts.host`; resolves once the process runs (its pid known). */
  static async start(spec: PtySpec, opts: TerminalPtyOptions): Promise<TerminalPty> {
    const cols = spec.cols ?? opts.cols;
    const rows = spec.rows ?? opts.rows;
    const file = resolveExecutable(spec.command, spec.cwd, spec.env.PATH ?? serverEnv().PATH ?? '');
    const mods = await loadXterm();
    const t = await slicer.run(() => new TerminalPty(mods, cols, rows, opts));
    try {
      t.pty = await opts.host.spawn({ file, args: spec.args, cwd: spec.cwd, env: spec.env, cols, rows }, {
        onData: (data) => t.output(data),
        onExit: (code, signal) => t.processExited(code, signal),
      });
    } catch (err) {
      t.term?.dispose();
      t.term = undefined;
      throw err;
    }
    return t;
  }

  /** Resolves with the exit once the process ended and its output is rendered. */
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
  private resolveExited!: (exit: { code: number | null; signal: string | null }) => void;
  private pty!: PtyProcess;
  private term: InstanceType<Xterm['Terminal']> | undefined;
  private serializer: InstanceType<Serialize['SerializeAddon']> | undefined;
  private lastScreen: ScreenSnapshot;
  private renderTimer: NodeJS.Timeout | undefined;
  private lastRenderAt = 0;
  private renderWaiters = new Set<(ok: boolean) => void>();
  /** PTY chunks handed to the terminal and not parsed yet; `drained` runs when it drops to 0. */
  private pendingWrites = 0;
  private drained: (() => void) | undefined;
  private done = false;
  private lastSerialized = '';

  private constructor(mods: { xterm: Xterm; serialize: Serialize }, cols: number, rows: number, private readonly opts: TerminalPtyOptions) {
    this.term = new mods.xterm.Terminal({ cols, rows, scrollback: opts.scrollback, allowProposedApi: true });
    this.lastScreen = { lines: [], cursor: { x: 0, y: 0 }, cols, rows };
    this.term.onWriteParsed(() => this.scheduleRender());
    this.serializer = new mods.serialize.SerializeAddon();
    this.term.loadAddon(this.serializer as never);
    this.exited = new Promise((resolve) => { this.resolveExited = resolve; });
  }

  /** The process's pid (it leads its own process group). */
  get pid(): number {
    return this.pty.pid;
  }

  /** The process's start time, when the host could read it. */
  get startTime(): string | undefined {
    return this.pty.startTime;
  }

  private output(data: string): void {
    if (!this.term) return;
    try {
      this.opts.onOutput?.(data);
    } catch (err) {
      this.opts.log.error({ err }, 'output handler threw');
    }
    this.pendingWrites++;
    this.term.write(data, () => { if (--this.pendingWrites === 0) this.drained?.(); });
  }

  private processExited(code: number | null, signal: string | null): void {
    const exit = { code, signal };
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
      this.opts.onExit(exit.code, exit.signal);
      this.resolveExited(exit);
    };
    // Wait until the parser has taken every byte, then one more turn (the slicer's): a write
    // callback can run before its batch's write-parsed notification, which schedules the last repaint.
    const go = () => { void slicer.run(finish); };
    if (this.pendingWrites === 0) go(); else this.drained = go;
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
