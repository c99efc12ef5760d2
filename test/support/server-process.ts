import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { SERVER_JS } from './paths.js';

/** A real Aegis server process started by a test. */
export interface ServerProcess {
  proc: ChildProcess;
  port: number;
  url: string;
  stateDir: string;
  /** Every log line (parsed JSON where possible) and raw stderr so far. */
  logs: Array<Record<string, unknown>>;
  stderr: string[];
  /** Resolves with the exit code and signal once the process ends. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first log line matching `predicate`, rejecting after `timeoutMs`. */
  waitForLog(predicate: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Sends SIGTERM (or the given signal) and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface StartOptions {
  env?: Record<string, string>;
  /** Node options before the entry point (e.g. `--import` of a preload). */
  nodeArgs?: string[];
  args?: string[];
  cwd?: string;
  stateDir?: string;
  /** How long to wait for "aegis listening". */
  timeoutMs?: number;
  /** Resolve on exit instead of on listening (boot failure tests). */
  expectExit?: boolean;
}

/** Starts `node dist/server.js` on a free loopback port and waits until it listens. */
export async function startServer(opts: StartOptions = {}): Promise<ServerProcess> {
  const stateDir = opts.stateDir ?? await mkdtemp(join(tmpdir(), 'aegis-test-state-'));
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    AEGIS_HOST: '127.0.0.1',
    AEGIS_PORT: '0',
    AEGIS_STATE_DIR: stateDir,
    AEGIS_LOG_LEVEL: 'debug',
    ...opts.env,
  };
  const proc = spawn(process.execPath, [...(opts.nodeArgs ?? []), SERVER_JS, ...(opts.args ?? [])], { cwd: opts.cwd ?? stateDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: Array<Record<string, unknown>> = [];
  const stderr: string[] = [];
  const waiters = new Set<{ pred: (l: Record<string, unknown>) => boolean; resolve: (l: Record<string, unknown>) => void }>();
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    let parsed: Record<string, unknown>;
    try { parsed = JSON.parse(line); } catch { parsed = { raw: line }; }
    logs.push(parsed);
    for (const w of waiters) if (w.pred(parsed)) { waiters.delete(w); w.resolve(parsed); }
  });
  createInterface({ input: proc.stderr! }).on('line', (line) => stderr.push(line));
  const exited = once(proc, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  const waitForLog = (pred: (l: Record<string, unknown>) => boolean, timeoutMs = 15000) => {
    const hit = logs.find(pred);
    if (hit) return Promise.resolve(hit);
    return new Promise<Record<string, unknown>>((resolve, reject) => {
      const w = { pred, resolve: (l: Record<string, unknown>) => { clearTimeout(timer); resolve(l); } };
      const timer = setTimeout(() => { waiters.delete(w); reject(new Error(`log line not seen in ${timeoutMs} ms; stderr: ${stderr.join('\n')}`)); }, timeoutMs);
      waiters.add(w);
      void exited.then(() => { if (waiters.delete(w)) { clearTimeout(timer); reject(new Error(`server exited before the log line; stderr: ${stderr.join('\n')}`)); } });
    });
  };
  const server: ServerProcess = {
    proc, port: 0, url: '', stateDir, logs, stderr, exited, waitForLog,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
  if (opts.expectExit) {
    const timeoutMs = opts.timeoutMs ?? 20000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error(`server did not exit within ${timeoutMs} ms`)); }, timeoutMs);
    });
    try { await Promise.race([exited, timedOut]); } finally { clearTimeout(timer); }
    return server;
  }
  const listening = await waitForLog((l) => l.msg === 'aegis listening', opts.timeoutMs ?? 20000);
  server.port = Number(listening.port);
  server.url = `http://127.0.0.1:${server.port}`;
  return server;
}
