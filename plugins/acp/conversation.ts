import type { RequestPermissionRequest } from '@agentclientprotocol/sdk';
import type { SessionContext } from '../sessions/index.js';
import { serveClient } from './client-side.js';
import { applyMode, initialize, openSession } from './handshake.js';
import { PermissionQueue } from './permissions.js';
import { sessionAttributes } from './tracing.js';
import { AgentProcess, type AgentExit, type AgentLaunch } from './process.js';
import { TurnRecorder } from './recorder.js';
import { Terminals } from './terminals.js';
import { Turns } from './turns.js';
import { Workspace } from './workspace.js';
import { agentActions } from './events.js';
import type { EventBus } from '../../kernel/index.js';

/** The knobs a conversation runs with (from the plugin options and the agent). */
export interface ConversationOptions {
  requestTimeoutMs: number;
  promptTimeoutMs: number;
  exitDrainMs: number;
  maxLineBytes: number;
  fs: boolean;
  terminal: boolean;
  terminalOutputBytes: number;
  terminalOutputMaxBytes: number;
  maxTerminals: number;
  maxPendingPermissions: number;
  maxReadBytes: number;
  maxWriteBytes: number;
  stdinBacklogBytes: number;
  /** Where file writes and terminal commands are reported (audited); absent in unit tests. */
  events?: EventBus;
  /** Set once the server closes: no agent process may be started after it. */
  closing: { closed: boolean };
  /** Replace the agent process after every cancelled turn (see `replace`). */
  replaceAfterCancel: boolean;
}

/**
 * One Aegis session's ACP agent: its process, the handshake, the client side of the protocol and
 * the end of it all. Prompts and their states live in `Turns`.
 */
export class Conversation {
  readonly permissions: PermissionQueue;
  readonly recorder: TurnRecorder;
  turns: Turns | undefined;
  stopping = false;
  private proc: AgentProcess | undefined;
  private readonly terminals: Terminals;
  /** The workDir as it was when the session started: later renames and symlinks move nothing inside. */
  private readonly workspace: Workspace;
  private replaying = false;
  /** Messages sent while no conversation is open (starting, or being replaced). */
  private readonly early: string[] = [];

  constructor(private readonly ctx: SessionContext, private readonly launch: AgentLaunch, private readonly opts: ConversationOptions, private readonly gone: () => void) {
    this.recorder = new TurnRecorder({
      append: (entries) => ctx.appendTranscript(entries),
      addUsage: (u) => ctx.addUsage(u),
      countToolCall: (name) => ctx.countToolCall(name),
    });
    this.permissions = new PermissionQueue(opts.maxPendingPermissions);
    this.workspace = Workspace.fix(ctx.record.workDir);
    this.terminals = new Terminals(this.workspace, launch.env, {
      defaultOutputBytes: opts.terminalOutputBytes, maxOutputBytes: opts.terminalOutputMaxBytes, maxTerminals: opts.maxTerminals,
    }, ctx, agentActions(opts.events, () => ctx.record), (file, args) => ctx.agentCommand(file, args));
  }

  /**
   * Files are offered only when the agent runs as the server's own user: Aegis would read and write
   * them with the server's rights, not the agent user's. An agent user's agent uses its own tools,
   * which the OS holds to that user's rights.
   */
  private get fsOffered(): boolean {
    return this.opts.fs && this.ctx.agentUser === undefined;
  }

  /** Counters for the session's driver metrics. */
  stats() {
    const s = this.proc?.peer.stats;
    return { malformedLines: s?.malformed ?? 0, unmatchedAnswers: s?.unmatched ?? 0, requestTimeouts: s?.timeouts ?? 0 };
  }

  /**
   * Spawns the agent, shakes hands and opens (or brings back) its conversation; then the session
   * is idle and messages sent meanwhile go out. With `background` a failure is reported on the
   * session (error, then exited) instead of thrown: nobody is waiting for it.
   */
  async start(resume: boolean, background = false): Promise<void> {
    let proc: AgentProcess;
    try {
      if (this.opts.closing.closed) throw new Error('the server is closing');
      proc = this.proc = await AgentProcess.start(this.launch, this.ctx.log, this.opts.maxLineBytes, this.opts.exitDrainMs, this.opts.stdinBacklogBytes, sessionAttributes(this.ctx.record));
    } catch (err) {
      if (!background) throw err;
      this.gone();
      return this.ctx.report({ state: 'exited', cause: `acp:resume-failed: ${(err as Error).message}` });
    }
    this.ctx.adoptProcess(proc.pid);
    let open = false;
    let gone: AgentExit | undefined;
    // Only the current process's end matters; one replaced on purpose (see `replace`) is ignored.
    void proc.exited.then((exit) => { gone = exit; if (open && proc === this.proc) void this.ended(exit); });
    serveClient(proc.peer, {
      workspace: this.workspace, fs: this.fsOffered, terminal: this.opts.terminal, terminals: this.terminals,
      fsLimits: { maxReadBytes: this.opts.maxReadBytes, maxWriteBytes: this.opts.maxWriteBytes },
      actions: agentActions(this.opts.events, () => this.ctx.record),
      update: (u) => { if (!this.replaying) this.recorder.update(u); },
      permission: (req) => this.holdPermission(req),
    });
    let turns: Turns;
    try {
      const t = this.opts.requestTimeoutMs;
      const caps = await initialize(proc.peer, { fs: this.fsOffered, terminal: this.opts.terminal }, t);
      const opened = await openSession(proc.peer, caps, this.ctx, resume, t, (on) => { this.replaying = on; });
      await applyMode(proc.peer, this.ctx, opened, t);
      this.turns = turns = new Turns(this.ctx, proc.peer, opened.sessionId, this, this.opts);
      this.ctx.report({ state: 'idle', cause: { new: 'acp:ready', resume: 'acp:resumed', load: 'acp:loaded' }[opened.how] });
    } catch (err) {
      await this.failedStart(proc, err as Error, background);
      if (!background) throw err;
      return;
    }
    open = true;
    for (const text of this.early.splice(0)) turns.send(text);
    if (gone && proc === this.proc) void this.ended(gone);
  }

  /** A message for the agent: in the transcript at once, delivered when the agent is free. */
  send(text: string): void {
    this.ctx.appendTranscript([{ role: 'user', text }]);
    if (this.turns) this.turns.send(text); else this.early.push(text);
  }

  /** Interrupts the running prompt, or drops messages waiting for the conversation to open. */
  interrupt(): void {
    if (this.turns) this.turns.interrupt(); else this.early.length = 0;
  }

  /** Asks the agent to end: cancels what runs and closes its input; the runtime kills the group after. */
  stop(): void {
    this.stopping = true;
    this.interrupt();
    this.proc?.endInput();
  }

  /**
   * Ends the agent process and brings the same conversation back in a fresh one (session/resume
   * or load), keeping messages sent meanwhile. For agents whose state is not clean after a cancel.
   */
  async replace(): Promise<void> {
    const old = this.proc!;
    this.early.unshift(...(this.turns?.retire() ?? []));
    this.turns = undefined;
    this.proc = undefined;
    old.endInput();
    if (old.running) await this.ctx.terminateProcessGroup(old.pid, old.exited);
    const exit = await old.exited;
    this.permissions.cancelAll();
    this.recorder.endTurn();
    await this.terminals.disposeAll();
    if (this.stopping || this.opts.closing.closed) {
      this.gone();
      return this.ctx.processExited(exit.code, exit.signal);
    }
    this.ctx.log.info('replacing the ACP agent process after a cancel');
    await this.start(true, true);
  }

  /**
   * A failed start. When the caller waits for it, the agent is ended here and its exit reported
   * only after the runtime has marked the session exited with the start error, so that error is
   * the reason it keeps. In the background the error is reported first, then the exit.
   */
  private async failedStart(proc: AgentProcess, err: Error, background: boolean): Promise<void> {
    const stopped = this.stopping;
    this.stopping = true;
    if (proc.running) await this.ctx.terminateProcessGroup(proc.pid, proc.exited);
    const exit = await proc.exited;
    await this.cleanup();
    if (!background) {
      setImmediate(() => this.ctx.processExited(exit.code, exit.signal));
      return;
    }
    this.ctx.log.warn({ err }, 'ACP agent could not be brought back');
    if (!stopped) {
      this.ctx.appendTranscript([{ role: 'system', text: `The agent could not be brought back: ${err.message}` }]);
      this.ctx.report({ state: 'error', cause: `acp:resume-failed: ${err.message}`.slice(0, 500) });
    }
    this.ctx.processExited(exit.code, exit.signal);
  }

  private async ended(exit: AgentExit): Promise<void> {
    // A prompt that was running reports the crash first (with the reason), then the exit lands.
    await this.turns?.settled();
    await this.cleanup();
    this.ctx.log.info({ code: exit.code, signal: exit.signal, reason: exit.reason }, 'ACP agent ended');
    this.ctx.processExited(exit.code, exit.signal);
  }

  private async cleanup(): Promise<void> {
    this.permissions.cancelAll();
    this.recorder.endTurn();
    await this.terminals.disposeAll();
    this.gone();
    // The counters outlive the process in the record, so metrics still show why a session went bad.
    await this.ctx.update({ driver: { acp: this.stats() } }).catch((err) => this.ctx.log.warn({ err }, 'could not keep ACP counters'));
  }

  private async holdPermission(req: RequestPermissionRequest) {
    const toolCall = this.recorder.permissionAsked(req.toolCall) as RequestPermissionRequest['toolCall'];
    const answer = this.permissions.hold({ ...req, toolCall });
    this.turns?.showPermission();
    return { outcome: await answer };
  }
}
