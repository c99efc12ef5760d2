import { basename } from 'node:path';
import type { Logger } from 'pino';
import type { EventBus } from '../../kernel/index.js';
import type { AgentDriver, PtyHandle, SessionContext } from './driver.js';
import type { SessionView } from './api.js';
import type {
  PersistedMetrics, PtySpec, ScreenSnapshot, SessionRecord, StateReport, TranscriptEntry,
} from './types.js';
import type { SessionsOptions } from './schema.js';
import { NoProcess } from './errors.js';
import { TerminalPty } from './pty.js';
import { RecordWriter, type SessionFiles } from './record-store.js';
import { TranscriptLog } from './transcript.js';
import { CastRecorder } from './recording.js';
import { emptyMetrics, recordTransition } from './metrics.js';
import { createContext, type SessionAgent } from './context.js';
import { MessageFeed } from './messages.js';
import { pidStartTime, terminateGroup } from './process-group.js';
import { resolveExecutable } from './executable.js';
import type { AgentRunner } from './agent-runtime.js';
import type { PtyHost } from './pty-host.js';
import { SpanAttr, withSpan } from '../../kernel/index.js';
import './events.js';

/** What every session shares: the bus, the options, the files, where hooks post to. */
export interface SessionDeps {
  events: EventBus;
  options: SessionsOptions;
  files: SessionFiles;
  hookBase: () => string;
  log: Logger;
  /** Runs agents as their OS users. */
  runner: AgentRunner;
  /** Where agent processes run. */
  ptyHost: PtyHost;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * One session at runtime: its record, its process (a PTY, or a pid a driver adopted), the state
 * machine fed by `ctx.report`, metrics and persistence. Actions on it live in `actions.ts`.
 */
export class Session {
  readonly ctx: SessionContext;
  readonly log: Logger;
  readonly sessionDir: string;
  current: StateReport;
  /** Announces new transcript entries as `session.message`. */
  readonly messages: MessageFeed;
  pty: TerminalPty | undefined;
  /** A spawn on its way to the host: a second one is refused, and ending the session waits for it. */
  private spawning: Promise<unknown> | undefined;
  /** A save promised by `saveSoon`, not made yet. */
  private soon: NodeJS.Timeout | undefined;
  /** Set while the runtime itself ends the process, so its exit is read as that, not a crash. */
  ending: 'kill' | 'shutdown' | undefined;
  /** The kill in flight (status `ending`): resolves once the process group is gone and the session exited. */
  stopping: Promise<void> | undefined;
  /** How the process ended during a kill, kept for the `exited` that follows once the whole group is gone. */
  private killedExit: { code: number | null; signal: string | null } | undefined;
  private adopted: { pid: number; exited: Promise<void>; done: () => void; ended: boolean } | undefined;
  private readonly writer: RecordWriter;
  private readonly outputListeners = new Set<(data: string) => void>();
  private readonly recorder: CastRecorder | undefined;
  private closed = false;
  /** Who the agent runs as; `useAgent` sets it before each start. */
  agent: SessionAgent;

  constructor(
    readonly record: SessionRecord,
    readonly driver: AgentDriver | undefined,
    readonly hookSecret: string,
    private readonly transcriptLog: TranscriptLog,
    private readonly deps: SessionDeps,
  ) {
    record.metrics ??= emptyMetrics(record.createdAt);
    this.log = deps.log.child({ sessionId: record.id, agent: record.agent });
    this.sessionDir = deps.files.dir(record.id);
    this.current = { state: record.status, cause: 'loaded' };
    this.writer = new RecordWriter(deps.files.record(record.id), () => this.record, this.log);
    this.agent = { pass: deps.options.agentEnv.pass, command: (file, args) => ({ command: file, args: [...args] }) };
    this.ctx = createContext(this, deps.hookBase);
    const base = () => ({ sessionId: record.id, tenantId: record.owner.tenantId });
    const ownTranscript = driver?.transcript ? () => driver.transcript!(this.ctx) : undefined;
    this.messages = new MessageFeed(deps.events, base, ownTranscript, this.log);
    if (deps.options.recordingMaxBytes > 0) this.recorder = new CastRecorder(this.sessionDir, deps.options.recordingMaxBytes, this.log);
  }

  /**
   * Decides who the next start runs as (the runner's resolvers, then `agentUser`) and prepares
   * that user's per-session folder. Called before every start, so a restart follows the config.
   */
  async useAgent(): Promise<void> {
    const runner = this.deps.runner;
    const identity = runner.identityFor(this.record.owner);
    const dir = identity ? await runner.prepare(this.record.id, identity) : undefined;
    this.agent = {
      identity, dir, pass: this.deps.options.agentEnv.pass,
      command: identity ? (file, args) => runner.argv(identity, file, args) : (file, args) => ({ command: file, args: [...args] }),
    };
  }

  /** The grace between SIGTERM and SIGKILL when this session's processes are ended. */
  get killGraceMs(): number {
    return this.deps.options.killGraceMs;
  }

  /** Opens the session's transcript and builds it. */
  static async load(record: SessionRecord, driver: AgentDriver | undefined, secret: string, deps: SessionDeps): Promise<Session> {
    const file = deps.files.transcript(record.id);
    const log = record.status === 'exited' ? TranscriptLog.deferred(file, deps.log) : await TranscriptLog.open(file, deps.log);
    return new Session(record, driver, secret, log, deps);
  }

  get metrics(): PersistedMetrics {
    return this.record.metrics!;
  }

  get live(): boolean {
    return this.record.status !== 'exited';
  }

  /** Persists the record (coalesced). After shutdown nothing is written, so the last state stays. */
  save(): Promise<void> {
    if (this.closed) return Promise.resolve();
    clearTimeout(this.soon);
    this.soon = undefined;
    this.record.updatedAt = new Date().toISOString();
    return this.writer.save();
  }

  /**
   * Persists changes that may reach the disk a little later (counters, activity times, moves
   * between live states): the next save of anything carries them, and if none comes within `ms`,
   * this one is made; shutdown and kill flush it. Writing on every message and every flip only
   * lengthens the queue of fsyncs that every durable answer waits behind.
   */
  saveSoon(ms = this.deps.options.lazySaveMs): void {
    if (this.closed || this.soon) return;
    this.soon = setTimeout(() => { this.soon = undefined; void this.save(); }, ms);
    this.soon.unref();
  }

  /**
   * The state machine: emits on every change of state and every new prompt, synchronously. A
   * driver's `exited` is taken only when no process runs; otherwise the real exit decides, so a
   * session is never marked over while its process lives on.
   */
  report(r: StateReport): void {
    // While ending, only the kill decides: a late screen or hook must not bring back working/idle.
    if (this.closed || !this.live || this.record.status === 'ending') return;
    if (r.state === 'exited') {
      if (!this.processRunning) this.markExited(r.cause, r.cause);
      return;
    }
    this.transition(r);
  }

  private transition(r: StateReport): void {
    const prev = this.current;
    const at = new Date();
    this.current = { ...r };
    const base = { sessionId: this.record.id, tenantId: this.record.owner.tenantId, at: at.toISOString() };
    const from = this.record.status;
    if (r.state !== from) {
      recordTransition(this.metrics, from, at);
      this.record.status = r.state;
      this.deps.events.emit('session.state-changed', { ...base, from, to: r.state, cause: r.cause });
      this.messages.stateChanged(r.state);
      // Ending and exited decide what a restart does, so they reach the disk at once. Between the
      // live states a restart does the same whatever the record says (it resumes the agent and
      // reads its state afresh), so those ride on the next save, made within a second: an agent
      // that flips between working and idle costs no write per flip.
      if (r.state === 'ending' || r.state === 'exited') void this.save(); else this.saveSoon();
    }
    if (r.pendingPermission && !same(prev.pendingPermission, r.pendingPermission)) {
      this.deps.events.emit('permission.requested', { ...base, permission: r.pendingPermission });
    }
    if (r.pendingQuestion && !same(prev.pendingQuestion, r.pendingQuestion)) {
      this.deps.events.emit('question.asked', { ...base, question: r.pendingQuestion });
    }
  }

  /** True while the session's PTY or adopted process runs. */
  get processRunning(): boolean {
    return (this.pty !== undefined && !this.pty.ended) || (this.adopted !== undefined && !this.adopted.ended);
  }

  async spawn(spec: PtySpec): Promise<PtyHandle> {
    if (this.spawning || (this.pty && !this.pty.ended)) throw new Error('this session already runs a process');
    const r = this.record;
    const attributes = {
      [SpanAttr.sessionId]: r.id, [SpanAttr.agent]: r.agent, [SpanAttr.permissionMode]: r.permissionMode,
      ...(r.owner.tenantId ? { [SpanAttr.tenant]: r.owner.tenantId } : {}), 'process.executable.name': basename(spec.command),
    };
    const spawned = withSpan('pty.spawn', attributes, async (span) => {
      const pty = await this.spawnPty(spec);
      span.setAttribute('process.pid', pty.pid);
      return pty;
    });
    this.spawning = spawned.catch(() => {});
    try {
      return await spawned;
    } finally {
      this.spawning = undefined;
    }
  }

  private async spawnPty(spec: PtySpec): Promise<TerminalPty> {
    const o = this.deps.options;
    if (this.agent.identity) {
      // Resolved here, as the server, so the agent user's PATH lookup cannot pick another program.
      const file = resolveExecutable(spec.command, spec.cwd, spec.env.PATH ?? '');
      spec = { ...spec, ...this.agent.command(file, spec.args) };
    }
    this.recorder?.open(spec.cols ?? o.cols, spec.rows ?? o.rows);
    const pty: TerminalPty = await TerminalPty.start(spec, {
      cols: o.cols, rows: o.rows, scrollback: o.scrollback, renderIntervalMs: o.renderIntervalMs, log: this.log, host: this.deps.ptyHost,
      onOutput: (data) => {
        this.recorder?.output(data);
        for (const listener of this.outputListeners) listener(data);
      },
      onRender: () => {
        this.record.lastActivityAt = new Date().toISOString();
        this.driver?.onRender?.(this.ctx, pty.snapshot());
      },
      onExit: (code, signal) => this.processEnded(code, signal),
    });
    this.pty = pty;
    this.noteProcess(pty.pid, pty.startTime);
    return pty;
  }

  adopt(pid: number): void {
    let resolve!: () => void;
    const exited = new Promise<void>((r) => { resolve = r; });
    const adopted = { pid, exited, ended: false, done: () => { adopted.ended = true; resolve(); } };
    this.adopted = adopted;
    this.noteProcess(pid);
  }

  trackGroup(pgid: number): void {
    this.record.groups ??= [];
    this.record.groups.push({ pgid, startTime: pidStartTime(pgid) });
    void this.save();
  }

  releaseGroup(pgid: number): void {
    if (!this.record.groups) return;
    this.record.groups = this.record.groups.filter((g) => g.pgid !== pgid);
    void this.save();
  }

  private noteProcess(pid: number, startTime = pidStartTime(pid)): void {
    Object.assign(this.record, { pid, serverPid: process.pid, pidStartTime: startTime });
    void this.save();
  }

  /** The process ended: by itself (the session exits), by kill, or by server shutdown (status kept). */
  processEnded(code: number | null, signal: string | null): void {
    this.adopted?.done();
    this.recorder?.close();
    try {
      this.driver?.onExit?.(this.ctx, code, signal);
    } catch (err) {
      this.log.error({ err }, 'driver onExit threw');
    }
    if (this.ending === 'shutdown' || this.closed) return;
    if (this.ending === 'kill') {
      // The leader is gone but the rest of its group may not be: the kill marks `exited` once it is.
      this.killedExit = { code, signal };
      return;
    }
    const reason = this.ending === 'kill' ? 'killed' : signal ? `ended by ${signal}` : `exited with code ${code}`;
    this.markExited(reason, this.ending === 'kill' ? 'kill' : 'exit', code, signal);
  }

  /**
   * A kill was asked for: the session shows `ending` (pending prompts dropped) until the process
   * group is gone. The state change is persisted, so a restart mid-kill still ends the group.
   */
  markEnding(cause: string): void {
    if (!this.live || this.record.status === 'ending') return;
    this.transition({ state: 'ending', cause });
  }

  /** The kill's group is gone: `exited` with how its leader ended, if it was seen. */
  markKilled(): void {
    const exit = this.killedExit;
    this.markExited('killed', 'kill', exit?.code ?? null, exit?.signal ?? null);
  }

  /** Final state: records why, emits `session.exited`, persists. Idempotent. */
  markExited(reason: string, cause: string, code: number | null = null, signal: string | null = null): void {
    if (!this.live) return;
    Object.assign(this.record, { exitCode: code, exitSignal: signal, reason: this.record.reason ?? reason });
    this.transition({ state: 'exited', cause });
    this.deps.events.emit('session.exited', {
      sessionId: this.record.id, tenantId: this.record.owner.tenantId, at: new Date().toISOString(),
      exitCode: code, signal, reason: this.record.reason,
    });
    void this.save();
    // An ended session rarely writes its transcript again; its file need not stay open.
    void this.transcriptLog.close();
    if (this.agent.dir) {
      this.deps.runner.remove(this.record.id).catch((err) => this.log.warn({ err }, 'removing the agent folder failed'));
    }
  }

  /**
   * Ends the agent's process group and every other group the session owns; resolves once they are
   * gone. A pid whose start time no longer matches belongs to someone else now and is left alone.
   */
  async terminate(): Promise<void> {
    // A process still being started is ended too, once its pid is known.
    await this.spawning;
    const grace = this.killGraceMs;
    const others = (this.record.groups ?? []).map((g) => terminateGroup(g.pgid, grace, undefined, g.startTime));
    if (this.pty && !this.pty.ended) await this.pty.terminate(grace);
    else if (this.adopted) await terminateGroup(this.adopted.pid, grace, this.adopted.exited, this.record.pidStartTime);
    await Promise.all(others);
    if (this.record.groups?.length) { this.record.groups = []; void this.save(); }
  }

  /** Server shutdown: the process is stopped but the record keeps its state, so the next start resumes it. */
  async shutdown(): Promise<void> {
    // A kill in flight finishes first, so its session ends `exited` and no process outlives us.
    if (this.stopping) {
      await this.stopping;
    } else {
      this.ending = 'shutdown';
      await this.terminate();
    }
    await this.flush();
    await this.transcriptLog.close();
    this.closed = true;
  }

  /** Resolves once the record as it is now is on disk (later changes are not waited for). */
  persisted(): Promise<void> {
    return this.closed ? Promise.resolve() : this.writer.saved();
  }

  async flush(): Promise<void> {
    if (this.soon) await this.save();
    await this.writer.flush();
    await this.transcriptLog.flush();
    await this.recorder?.flush();
  }

  /** The recording's file holds everything recorded so far once this resolves. */
  flushRecording(): Promise<void> {
    return this.recorder?.flush() ?? Promise.resolve();
  }

  screen(): ScreenSnapshot {
    const o = this.deps.options;
    return this.pty?.snapshot() ?? { lines: [], cursor: { x: 0, y: 0 }, cols: o.cols, rows: o.rows };
  }

  nextRender(timeoutMs: number): Promise<boolean> {
    return this.pty ? this.pty.nextRender(timeoutMs) : Promise.resolve(false);
  }

  write(data: string): void {
    if (!this.pty || this.pty.ended) throw new NoProcess(this.record.id);
    this.pty.write(data);
  }

  /** Resizes the PTY and its screen model (and notes it in the recording). */
  resize(cols: number, rows: number): void {
    if (!this.pty || this.pty.ended) throw new NoProcess(this.record.id);
    this.pty.resize(cols, rows);
    this.recorder?.resize(cols, rows);
  }

  /** The screen as escape sequences that redraw it (empty without a PTY). */
  serializeScreen(): string {
    return this.pty?.serialize() ?? '';
  }

  /** Calls `listener` with every chunk of raw PTY output until the returned function is called. */
  onOutput(listener: (data: string) => void): () => void {
    this.outputListeners.add(listener);
    return () => { this.outputListeners.delete(listener); };
  }

  async update(patch: Partial<Pick<SessionRecord, 'agentSessionId' | 'driver'>>): Promise<void> {
    if (patch.agentSessionId !== undefined) this.record.agentSessionId = patch.agentSessionId;
    if (patch.driver) this.record.driver = { ...this.record.driver, ...patch.driver };
    await this.save();
  }

  appendTranscript(entries: Array<Omit<TranscriptEntry, 'id' | 'index'> & { id?: string }>): void {
    const added = this.transcriptLog.append(entries);
    if (added.length) this.record.lastActivityAt = new Date().toISOString();
    this.messages.appended(added);
  }

  readTranscript(): Promise<TranscriptEntry[]> {
    return this.transcriptLog.read();
  }

  view(): SessionView {
    const r = this.record;
    const v: SessionView = {
      id: r.id, name: r.name, agent: r.agent, workDir: r.workDir, permissionMode: r.permissionMode, owner: r.owner,
      status: r.status, stateCause: this.current.cause, createdAt: r.createdAt, updatedAt: r.updatedAt,
      lastActivityAt: r.lastActivityAt, agentSessionId: r.agentSessionId, pid: r.pid, exitCode: r.exitCode,
      exitSignal: r.exitSignal, reason: r.reason, restarts: r.restarts, envNames: Object.keys(r.env),
    };
    if (this.live && this.current.pendingPermission) v.pendingPermission = this.current.pendingPermission;
    if (this.live && this.current.pendingQuestion) v.pendingQuestion = this.current.pendingQuestion;
    return v;
  }
}
