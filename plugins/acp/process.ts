import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { basename } from 'node:path';
import type { Logger } from 'pino';
import type { Attributes } from '@opentelemetry/api';
import { withSpan } from '../../kernel/index.js';
import { AcpSpawnFailed } from './errors.js';
import { JsonRpcPeer } from './jsonrpc.js';

/** How to start one ACP agent process. */
export interface AgentLaunch {
  command: string;
  args: string[];
  cwd: string;
  /** The child's whole environment. */
  env: Record<string, string>;
}

/** How the agent process ended. */
export interface AgentExit {
  code: number | null;
  signal: string | null;
  /** In words, with the end of its stderr when it wrote any. */
  reason: string;
}

const STDERR_TAIL = 2048;

/**
 * One running ACP agent: a child in its own process group (so a kill reaches everything it
 * started), stdio wired to a JSON-RPC peer, stderr kept as a short tail for the reason of a crash.
 */
export class AgentProcess {
  readonly peer: JsonRpcPeer;
  /** Resolves once the process has exited and its last output was read. */
  readonly exited: Promise<AgentExit>;
  private stderrTail = '';

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams, log: Logger, maxLineBytes: number, drainMs: number, backlogBytes: number, attributes: Attributes,
  ) {
    this.peer = new JsonRpcPeer(child.stdout, child.stdin, log, maxLineBytes, backlogBytes, attributes);
    child.stderr.on('data', (d: Buffer) => {
      const text = d.toString('utf8');
      log.debug({ stderr: text.slice(0, 2000) }, 'agent stderr');
      this.stderrTail = (this.stderrTail + text).slice(-STDERR_TAIL);
    });
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        // Output written just before the exit may still be in the pipe; wait for its end, bounded,
        // because a grandchild holding the pipe open must not keep the session waiting.
        const done = () => {
          clearTimeout(timer);
          const reason = this.describe(code, signal);
          this.peer.close(reason);
          resolve({ code, signal, reason });
        };
        const timer = setTimeout(done, drainMs);
        if (child.stdout.readableEnded) done(); else child.stdout.once('end', done);
      });
    });
  }

  /**
   * Starts the agent; resolves once it runs, or throws ACP_SPAWN_FAILED (e.g. ENOENT). Traced as
   * `acp.child_process.spawn`; `attributes` (the session's) go on it and on every request span.
   */
  static start(
    launch: AgentLaunch, log: Logger, maxLineBytes: number, drainMs: number, backlogBytes = 16 * 1048576, attributes: Attributes = {},
  ): Promise<AgentProcess> {
    return withSpan('acp.child_process.spawn', { ...attributes, 'process.executable.name': basename(launch.command) }, async (span) => {
      const child = spawn(launch.command, launch.args, {
        cwd: launch.cwd, env: launch.env, detached: true, stdio: ['pipe', 'pipe', 'pipe'],
      });
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', (err) => reject(new AcpSpawnFailed(launch.command, err.message)));
      });
      span.setAttribute('process.pid', child.pid!);
      // Later errors (a failed kill) are not fatal; the exit event tells the end.
      child.on('error', (err) => log.warn({ err }, 'agent process error'));
      return new AgentProcess(child, log, maxLineBytes, drainMs, backlogBytes, attributes);
    });
  }

  get pid(): number { return this.child.pid!; }

  /** False once the process has exited (its pid may then belong to someone else). */
  get running(): boolean { return this.child.exitCode === null && this.child.signalCode === null; }

  /** Closes the agent's stdin: ACP agents end when their input ends. */
  endInput(): void { this.child.stdin.end(); }

  /** The end of what the agent wrote on stderr, trimmed. */
  stderr(): string { return this.stderrTail.trim(); }

  private describe(code: number | null, signal: string | null): string {
    const how = signal ? `ended by ${signal}` : `exited with code ${code}`;
    const tail = this.stderr().split('\n').slice(-3).join(' | ');
    return tail ? `agent ${how}: ${tail.slice(-300)}` : `agent ${how}`;
  }
}
