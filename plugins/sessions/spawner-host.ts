import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { PtyHost, PtyProcess, PtyProcessHandlers, PtySpawnRequest } from './pty-host.js';
import { type FromSpawner, type ToSpawner, jsonLines } from './spawner-protocol.js';
import { SpawnFailed } from './errors.js';
import { terminateGroup } from './process-group.js';

const CHILD = fileURLToPath(new URL('./spawner-child.js', import.meta.url));

/** How the spawner host behaves. */
export interface SpawnerHostOptions {
  log: Logger;
  /** SIGTERM -> SIGKILL grace for the groups of processes whose spawner died. */
  killGraceMs: number;
}

interface Hosted {
  handlers: PtyProcessHandlers;
  pid?: number;
  spawned?: { resolve: (p: PtyProcess) => void; reject: (err: Error) => void };
}

/**
 * The default PtyHost: a spawner child process (see spawner-child.ts), started on first use and
 * again after it dies. The server keeps only a pipe per direction; forks, PTY masters and reaping
 * happen over there. If the spawner dies, each process it hosted is ended (its group signalled
 * from here) and reported exited with SIGHUP: its terminal is gone.
 */
export class SpawnerHost implements PtyHost {
  private child: ChildProcess | undefined;
  private readonly hosted = new Map<number, Hosted>();
  private nextId = 1;
  private outbox: string[] = [];
  private closed = false;

  constructor(private readonly opts: SpawnerHostOptions) {}

  /** The spawner's pid while one runs (tests and diagnostics). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  spawn(req: PtySpawnRequest, handlers: PtyProcessHandlers): Promise<PtyProcess> {
    if (this.closed) return Promise.reject(new SpawnFailed('the process host is closed'));
    const id = this.nextId++;
    return new Promise<PtyProcess>((resolve, reject) => {
      this.hosted.set(id, { handlers, spawned: { resolve, reject } });
      this.ref();
      this.send({ t: 'spawn', id, ...req });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const child = this.child;
    if (!child) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    this.ref();
    const lines = this.outbox;
    this.outbox = [];
    child.stdin?.end(lines.length ? lines.join('\n') + '\n' : undefined);
    // It exits as soon as it reads the end; one that does not is not allowed to hold shutdown.
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(timer);
  }

  private send(msg: ToSpawner): void {
    this.ensureChild();
    this.outbox.push(JSON.stringify(msg));
    if (this.outbox.length > 1) return;
    // One write per turn of the loop: a burst of creates or sends costs one syscall, not hundreds.
    setImmediate(() => {
      const lines = this.outbox;
      this.outbox = [];
      // A spawner that died meanwhile took its messages with it (lost() cleared them); these are the next one's.
      if (lines.length) this.child?.stdin?.write(lines.join('\n') + '\n');
    });
  }

  private ensureChild(): ChildProcess {
    if (this.child) return this.child;
    // No environment and no exec arguments of ours: the server's secrets, NODE_OPTIONS preloads and
    // profiler flags stay here. Its own process group keeps terminal signals meant for the server away.
    const child = spawn(process.execPath, [CHILD], {
      env: {}, stdio: ['pipe', 'pipe', 'pipe'], detached: true,
    });
    this.child = child;
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', jsonLines<FromSpawner>((msg) => this.receive(msg), (err) => this.opts.log.error({ err }, 'spawner message could not be handled')));
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (text: string) => this.opts.log.warn({ spawner: text.trim().slice(0, 2000) }, 'spawner wrote to stderr'));
    child.stdin!.on('error', (err) => this.opts.log.warn({ err }, 'spawner pipe failed'));
    child.on('error', (err) => this.opts.log.error({ err }, 'spawner failed'));
    child.on('exit', (code, signal) => this.lost(child, code, signal));
    this.opts.log.debug({ pid: child.pid }, 'spawner started');
    return child;
  }

  private receive(msg: FromSpawner): void {
    const h = this.hosted.get(msg.id);
    if (!h) return;
    if (msg.t === 'data') {
      h.handlers.onData(msg.data);
    } else if (msg.t === 'spawned') {
      h.pid = msg.pid;
      const id = msg.id;
      const proc: PtyProcess = {
        pid: msg.pid, startTime: msg.startTime,
        write: (data) => { if (this.hosted.has(id)) this.send({ t: 'write', id, data }); },
        resize: (cols, rows) => { if (this.hosted.has(id)) this.send({ t: 'resize', id, cols, rows }); },
      };
      h.spawned?.resolve(proc);
      h.spawned = undefined;
    } else if (msg.t === 'failed') {
      this.hosted.delete(msg.id);
      h.spawned?.reject(new SpawnFailed(msg.message));
      this.unrefIfIdle();
    } else if (msg.t === 'exit') {
      this.hosted.delete(msg.id);
      h.handlers.onExit(msg.code, msg.signal);
      this.unrefIfIdle();
    }
  }

  /**
   * The spawner exited. Planned (close) or not, what it hosted has lost its terminal: pending
   * spawns fail, running processes get their group ended from here and are reported as hung up.
   * The next spawn starts a new spawner.
   */
  private lost(child: ChildProcess, code: number | null, signal: string | null): void {
    if (this.child !== child) return;
    this.child = undefined;
    this.outbox = [];
    if (!this.closed) this.opts.log.error({ code, signal, hosted: this.hosted.size }, 'spawner exited; its sessions lost their terminals');
    const hosted = [...this.hosted.values()];
    this.hosted.clear();
    for (const h of hosted) {
      if (h.spawned) { h.spawned.reject(new SpawnFailed('the spawner exited')); continue; }
      const pid = h.pid!;
      terminateGroup(pid, this.opts.killGraceMs)
        .catch((err) => this.opts.log.warn({ err, pid }, 'ending a process group failed'))
        .finally(() => h.handlers.onExit(null, 'SIGHUP'));
    }
  }

  /** The spawner keeps the server's loop alive only while it hosts something. */
  private ref(): void {
    const c = this.child ?? this.ensureChild();
    c.ref();
    (c.stdout as unknown as { ref?: () => void }).ref?.();
    (c.stderr as unknown as { ref?: () => void }).ref?.();
    (c.stdin as unknown as { ref?: () => void }).ref?.();
  }

  private unrefIfIdle(): void {
    const c = this.child;
    if (!c || this.hosted.size > 0) return;
    c.unref();
    (c.stdout as unknown as { unref?: () => void }).unref?.();
    (c.stderr as unknown as { unref?: () => void }).unref?.();
    (c.stdin as unknown as { unref?: () => void }).unref?.();
  }
}
