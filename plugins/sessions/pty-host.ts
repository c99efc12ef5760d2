/**
 * Where agent processes run. The sessions runtime asks a PtyHost for a process in a terminal and
 * keeps the screen model itself; the host only moves bytes, sizes and exits. The default host is a
 * small spawner process on this machine (`SpawnerHost`); another host could start agents elsewhere
 * (a container, a pod) behind the same contract.
 */

/** What to run: an absolute executable (resolved by the server), its argv, cwd, env and size. */
export interface PtySpawnRequest {
  file: string;
  args: string[];
  cwd: string;
  /** The complete environment of the process; the host adds nothing to it. */
  env: Record<string, string>;
  cols: number;
  rows: number;
}

/** Where a hosted process reports to. Both are called in the order the host saw things happen. */
export interface PtyProcessHandlers {
  /** Raw terminal output, decoded as UTF-8. */
  onData(data: string): void;
  /** Called once: exit code, or the name of the signal that ended it. */
  onExit(code: number | null, signal: string | null): void;
}

/** A running process in a terminal, as the host reports it. */
export interface PtyProcess {
  readonly pid: number;
  /** The process's start time (clock ticks since boot, from /proc), when the host could read it. */
  readonly startTime?: string;
  write(data: string): void;
  resize(cols: number, rows: number): void;
}

/** Starts processes in terminals and reports their output and exits. */
export interface PtyHost {
  /**
   * Starts a process; resolves once it runs (its pid known). Rejects with a coded error when it
   * could not be started. Handlers may be called before the promise settles is observed.
   */
  spawn(req: PtySpawnRequest, handlers: PtyProcessHandlers): Promise<PtyProcess>;
  /** Stops the host; processes still running are hung up. */
  close(): Promise<void>;
}
