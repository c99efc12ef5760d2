import { spawn, type ChildProcess } from 'node:child_process';
import type {
  CreateTerminalRequest, CreateTerminalResponse, TerminalOutputResponse, WaitForTerminalExitResponse,
} from '@agentclientprotocol/sdk';
import { terminateGroup } from '../sessions/process-group.js';
import { AcpRequestDeclined } from './errors.js';
import { RPC, RpcError } from './jsonrpc.js';
import { resolveInside, RESOURCE_NOT_FOUND } from './workspace.js';

interface Terminal {
  child: ChildProcess;
  output: string;
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
    private readonly workDir: string, private readonly env: Record<string, string>, private readonly defaultLimit: number,
    /** Wraps a command so it runs as the session's agent user (unchanged without one). */
    private readonly runAs: (file: string, args: readonly string[]) => { command: string; args: string[] } = (file, args) => ({ command: file, args: [...args] }),
  ) {}

  async create(params: unknown): Promise<CreateTerminalResponse> {
    const p = (params ?? {}) as Partial<CreateTerminalRequest>;
    if (typeof p.command !== 'string' || !p.command) throw new RpcError(RPC.invalidParams, 'command is required');
    const cwd = await resolveInside(this.workDir, p.cwd ?? this.workDir);
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
    const t: Terminal = { child, output: '', truncated: false, limit: p.outputByteLimit ?? this.defaultLimit, exited: Promise.resolve() };
    const append = (d: Buffer) => this.append(t, d.toString('utf8'));
    child.stdout!.on('data', append);
    child.stderr!.on('data', append);
    t.exited = new Promise((resolve) => child.once('close', (exitCode, signal) => { t.exit = { exitCode, signal }; resolve(); }));
    const terminalId = `term-${this.next++}`;
    this.terms.set(terminalId, t);
    return { terminalId };
  }

  output(params: unknown): TerminalOutputResponse {
    const t = this.get(params);
    return { output: t.output, truncated: t.truncated, ...(t.exit ? { exitStatus: t.exit } : {}) };
  }

  async waitForExit(params: unknown): Promise<WaitForTerminalExitResponse> {
    const t = this.get(params);
    await t.exited;
    return { ...t.exit };
  }

  async kill(params: unknown): Promise<Record<string, never>> {
    const t = this.get(params);
    if (!t.exit && t.child.pid) await terminateGroup(t.child.pid, KILL_GRACE_MS, t.exited);
    return {};
  }

  async release(params: unknown): Promise<Record<string, never>> {
    await this.kill(params);
    this.terms.delete((params as { terminalId: string }).terminalId);
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

  private append(t: Terminal, text: string): void {
    t.output += text;
    if (Buffer.byteLength(t.output) <= t.limit) return;
    let buf = Buffer.from(t.output);
    buf = buf.subarray(buf.length - t.limit);
    // Skip UTF-8 continuation bytes so the kept output starts on a character boundary.
    let i = 0;
    while (i < buf.length && (buf[i]! & 0xc0) === 0x80) i++;
    t.output = buf.subarray(i).toString('utf8');
    t.truncated = true;
  }
}
