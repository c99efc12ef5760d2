import { spawn, type ChildProcess } from 'node:child_process';
import type {
  CreateTerminalRequest, CreateTerminalResponse, TerminalOutputResponse, WaitForTerminalExitResponse,
} from '@agentclientprotocol/sdk';
import { pidStartTime, terminateGroup } from '../sessions/index.js';
import { AcpRequestDeclined } from './errors.js';
import { RPC, RpcError } from './jsonrpc.js';
import { RESOURCE_NOT_FOUND, type Workspace } from './workspace.js';
import type { AgentActions } from './events.js';

/** Bounds on what one session's agent may start and keep. */
export interface TerminalLimits {
  /** Output kept per terminal when the agent names no `outputByteLimit`. */
  defaultOutputBytes: number;
  /** The most output kept per terminal, whatever `outputByteLimit` the agent asks for. */
  maxOutputBytes: number;
  /** Terminals a session may hold at once (running or not yet released). */
  maxTerminals: number;
}

/** ACP's JSON-RPC error for a refused terminal: the limit it ran into is named. */
export const TERMINAL_LIMIT = -32000;

/** Where a session keeps the process groups it owns, so a crash cannot orphan them. */
export interface GroupTracker { trackGroup(pgid: number): void; releaseGroup(pgid: number): void }

interface Terminal {
  child: ChildProcess;
  /** The leader's start time, so its number is never signalled once it belongs to someone else. */
  startTime?: string;
  /** Newest output, oldest chunk first; `bytes` is their total. */
  chunks: Buffer[];
  bytes: number;
  truncated: boolean;
  limit: number;
  exit?: { exitCode: number | null; signal: string | null };
  exited: Promise<void>;
}

const KILL_GRACE_MS = 1000;

/**
 * The `terminal/*` requests of one session: commands run without a shell, inside the workDir, each
 * in its own process group so a kill or release takes everything it started. Output is kept up to
 * a byte limit, dropping the oldest first (as ACP asks).
 */
export class Terminals {
  private readonly terms = new Map<string, Terminal>();
  private next = 1;

  constructor(
    private readonly ws: Workspace, private readonly env: Record<string, string>, private readonly limits: TerminalLimits,
    private readonly groups?: GroupTracker,
    private readonly actions?: Pick<AgentActions, 'terminalStarted'>,
    /** Wraps a command so it runs as the session's agent user (unchanged without one). */
    private readonly runAs: (file: string, args: readonly string[]) => { command: string; args: string[] } = (file, args) => ({ command: file, args: [...args] }),
  ) {}

  async create(params: unknown): Promise<CreateTerminalResponse> {
    const p = (params ?? {}) as Partial<CreateTerminalRequest>;
    if (typeof p.command !== 'string' || !p.command) throw new RpcError(RPC.invalidParams, 'command is required');
    if (this.terms.size >= this.limits.maxTerminals) {
      throw new RpcError(TERMINAL_LIMIT, `this session holds ${this.terms.size} terminals, the most allowed; release one first`, { code: 'AEGIS_ERR_ACP_TERMINAL_LIMIT' });
    }
    const asked = p.outputByteLimit;
    if (asked != null && (typeof asked !== 'number' || !Number.isInteger(asked) || asked < 0)) throw new RpcError(RPC.invalidParams, 'outputByteLimit must be a non-negative integer');
    const cwd = await this.ws.resolve(p.cwd ?? this.ws.root);
    const env = { ...this.env };
    for (const v of p.env ?? []) env[v.name] = v.value;
    const run = this.runAs(p.command, p.args ?? []);
    const child = spawn(run.command, run.args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (err) => {
        const e = new AcpRequestDeclined('terminal/create', err.message);
        reject(new RpcError(RPC.internal, e.message, { code: e.code }));
      });
    });
    const limit = Math.min(asked ?? this.limits.defaultOutputBytes, this.limits.maxOutputBytes);
    const t: Terminal = { child, startTime: pidStartTime(child.pid!), chunks: [], bytes: 0, truncated: false, limit, exited: Promise.resolve() };
    this.groups?.trackGroup(child.pid!);
    this.actions?.terminalStarted(p.command, p.args ?? [], cwd);
    const append = (d: Buffer) => this.append(t, d);
    child.stdout!.on('data', append);
    child.stderr!.on('data', append);
    t.exited = new Promise((resolve) => child.once('close', (exitCode, signal) => { t.exit = { exitCode, signal }; resolve(); }));
    const terminalId = `term-${this.next++}`;
    this.terms.set(terminalId, t);
    return { terminalId };
  }

  output(params: unknown): TerminalOutputResponse {
    const t = this.get(params);
    return { output: text(t), truncated: t.truncated, ...(t.exit ? { exitStatus: t.exit } : {}) };
  }

  async waitForExit(params: unknown): Promise<WaitForTerminalExitResponse> {
    const t = this.get(params);
    await t.exited;
    return { ...t.exit };
  }

  /** Ends the command and whatever it left running in its group (a finished leader may leave members). */
  async kill(params: unknown): Promise<Record<string, never>> {
    const t = this.get(params);
    if (t.child.pid) await terminateGroup(t.child.pid, KILL_GRACE_MS, t.exit ? undefined : t.exited, t.startTime);
    return {};
  }

  async release(params: unknown): Promise<Record<string, never>> {
    await this.kill(params);
    const id = (params as { terminalId: string }).terminalId;
    const t = this.terms.get(id);
    this.terms.delete(id);
    if (t?.child.pid) this.groups?.releaseGroup(t.child.pid);
    return {};
  }

  /** Ends every command still running (the session is over). */
  async disposeAll(): Promise<void> {
    const all = [...this.terms.keys()];
    await Promise.all(all.map((terminalId) => this.release({ terminalId }).catch(() => undefined)));
  }

  private get(params: unknown): Terminal {
    const id = (params as { terminalId?: unknown } | null)?.terminalId;
    const t = typeof id === 'string' ? this.terms.get(id) : undefined;
    if (!t) throw new RpcError(RESOURCE_NOT_FOUND, `no terminal ${String(id)}`);
    return t;
  }

  /** Keeps the newest `limit` bytes: whole chunks are dropped from the front, the first one trimmed. */
  private append(t: Terminal, d: Buffer): void {
    t.chunks.push(d);
    t.bytes += d.length;
    while (t.bytes > t.limit && t.chunks.length) {
      const first = t.chunks[0]!;
      const over = t.bytes - t.limit;
      if (first.length <= over) { t.chunks.shift(); t.bytes -= first.length; } else { t.chunks[0] = first.subarray(over); t.bytes -= over; }
      t.truncated = true;
    }
  }
}

/** The kept output as text, starting on a character boundary (UTF-8 continuation bytes skipped). */
function text(t: Terminal): string {
  const buf = Buffer.concat(t.chunks, t.bytes);
  let i = 0;
  while (t.truncated && i < buf.length && (buf[i]! & 0xc0) === 0x80) i++;
  return buf.subarray(i).toString('utf8');
}
