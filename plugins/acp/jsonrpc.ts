import type { Readable, Writable } from 'node:stream';
import type { Logger } from 'pino';
import type { Attributes, Span } from '@opentelemetry/api';
import { failSpan, startSpan } from '../../kernel/index.js';
import { countRequest } from './request-counts.js';
import { AcpAgentError, AcpAgentExited, AcpRequestTimeout } from './errors.js';
import { LineSplitter } from './lines.js';

/** A JSON-RPC error we answer an agent's request with. */
export class RpcError extends Error {
  override readonly name = 'RpcError';
  constructor(readonly rpcCode: number, message: string, readonly data?: unknown) {
    super(message);
  }
}

/** Standard JSON-RPC error codes used when answering the agent. */
export const RPC = { parseError: -32700, invalidRequest: -32600, methodNotFound: -32601, invalidParams: -32602, internal: -32603 } as const;

type Handler = (params: unknown) => unknown;
interface Pending { method: string; resolve: (v: unknown) => void; reject: (e: Error) => void; timer?: NodeJS.Timeout; span: Span }

/** Counters of what went wrong on the wire, for the session's driver metrics. */
export interface WireStats {
  /** Lines that were not a JSON-RPC 2.0 message (garbage, torn JSON, over-long lines). */
  malformed: number;
  /** Answers to requests that had already timed out, or that were never sent. */
  unmatched: number;
  /** Requests of ours that timed out. */
  timeouts: number;
}

/** A JSON object: not null and not an array (ACP's params, results and `_meta` are all by name). */
export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An agent's error in words: its message, plus the detail agents often put in `data` ("Internal error" alone says little). */
function describeRpcError(e: Record<string, unknown>): string {
  const message = String(e.message ?? 'unknown error');
  const d = e.data;
  const detail = typeof d === 'string' ? d : isObject(d) ? [d.details, d.message, d.error].find((x) => typeof x === 'string') : undefined;
  return detail && detail !== message ? `${message}: ${detail}` : message;
}

/**
 * A JSON-RPC 2.0 peer over newline-delimited JSON (the ACP stdio transport). Our own rather than the
 * SDK's connection so that every request carries a timeout, malformed lines are counted and logged
 * (never answered: an agent that prints logs on stdout must not get replies to them), and a closed
 * stream fails every waiting request at once with the reason.
 */
export class JsonRpcPeer {
  readonly stats: WireStats = { malformed: 0, unmatched: 0, timeouts: 0 };
  private readonly pending = new Map<number, Pending>();
  private readonly requests = new Map<string, Handler>();
  private readonly notifications = new Map<string, Handler>();
  private nextId = 1;
  private closedWith: string | undefined;

  constructor(
    input: Readable, private readonly output: Writable, private readonly log: Logger, maxLineBytes: number,
    private readonly backlogBytes = 16 * 1048576,
    /** Put on every request's `acp.json_rpc.request` span (the session's id, agent, tenant). */
    private readonly spanAttributes: Attributes = {},
  ) {
    const lines = new LineSplitter(maxLineBytes, (line) => this.receive(line), (bytes) => this.malformed(`line of ${bytes} bytes is over the limit`));
    input.on('data', (chunk: Buffer) => lines.push(chunk));
    input.on('end', () => lines.end());
    // A write to a dead agent raises EPIPE; the exit handler reports it, so it is only logged here.
    output.on('error', (err) => this.log.debug({ err }, 'agent stdin closed'));
  }

  /** Handles the agent's requests for `method`; the returned value (or thrown RpcError) is the answer. */
  onRequest(method: string, handler: Handler): void { this.requests.set(method, handler); }
  onNotification(method: string, handler: Handler): void { this.notifications.set(method, handler); }

  /** Sends a request; rejects with ACP_REQUEST_TIMEOUT, ACP_AGENT_ERROR or ACP_AGENT_EXITED. */
  request<T>(method: string, params: unknown, timeoutMs: number): Promise<T> {
    if (this.closedWith !== undefined) return Promise.reject(new AcpAgentExited(this.closedWith));
    const id = this.nextId++;
    const span = startSpan('acp.json_rpc.request', { ...this.spanAttributes, 'rpc.system': 'jsonrpc', 'rpc.method': method, 'rpc.jsonrpc.request_id': id });
    return new Promise<T>((resolve, reject) => {
      const p: Pending = {
        method, span,
        resolve: (v) => { countRequest(method, 'ok'); span.end(); resolve(v as T); },
        reject: (e) => { countRequest(method, e instanceof AcpRequestTimeout ? 'timeout' : 'error'); failSpan(span, e); span.end(); reject(e); },
      };
      p.timer = setTimeout(() => {
        this.pending.delete(id);
        this.stats.timeouts++;
        p.reject(new AcpRequestTimeout(method, String(timeoutMs)));
      }, timeoutMs);
      this.pending.set(id, p);
      this.send({ jsonrpc: '2.0', id, method, params });
    });
  }

  notify(method: string, params: unknown): void {
    if (this.closedWith === undefined) this.send({ jsonrpc: '2.0', method, params });
  }

  /** Ends the conversation: every waiting request fails with ACP_AGENT_EXITED and `reason`. */
  close(reason: string): void {
    if (this.closedWith !== undefined) return;
    this.closedWith = reason;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(new AcpAgentExited(reason));
    }
  }

  get closed(): boolean { return this.closedWith !== undefined; }

  /**
   * Writes one message. An agent that stops reading its input would otherwise make every later
   * message pile up in memory: past `backlogBytes` waiting, the conversation is closed with the
   * reason (every waiting request fails) and the agent's input is cut.
   */
  private send(message: unknown): void {
    if (!this.output.writable) return;
    if (this.output.writableLength > this.backlogBytes) {
      this.close(`the agent stopped reading its input (${this.output.writableLength} bytes waiting)`);
      this.output.destroy();
      return;
    }
    this.output.write(JSON.stringify(message) + '\n');
  }

  private malformed(why: string, line?: string): void {
    this.stats.malformed++;
    this.log.warn({ why, line: line?.slice(0, 200), malformed: this.stats.malformed }, 'malformed line from ACP agent ignored');
  }

  private receive(line: string): void {
    if (!line.trim()) return;
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch {
      return this.malformed('not JSON', line);
    }
    if (!isObject(msg) || msg.jsonrpc !== '2.0') return this.malformed('not a JSON-RPC 2.0 message', line);
    const hasId = typeof msg.id === 'number' || typeof msg.id === 'string';
    if (typeof msg.method === 'string') {
      if (hasId) void this.answer(msg.id as number | string, msg.method, msg.params);
      else this.dispatchNotification(msg.method, msg.params);
    } else if (hasId && ('result' in msg || isObject(msg.error))) {
      this.settle(msg);
    } else {
      this.malformed('neither a request, a notification nor a response', line);
    }
  }

  private settle(msg: Record<string, unknown>): void {
    const p = typeof msg.id === 'number' ? this.pending.get(msg.id) : undefined;
    if (!p) {
      this.stats.unmatched++;
      this.log.debug({ id: msg.id }, 'answer to no waiting request (timed out earlier?) ignored');
      return;
    }
    this.pending.delete(msg.id as number);
    clearTimeout(p.timer);
    if (isObject(msg.error)) {
      const e = msg.error;
      const err = new AcpAgentError(p.method, describeRpcError(e));
      p.reject(Object.assign(err, { details: { rpcCode: e.code, rpcMessage: e.message, rpcData: e.data } }));
    } else {
      p.resolve(msg.result);
    }
  }

  private dispatchNotification(method: string, params: unknown): void {
    const h = this.notifications.get(method);
    if (!h) return this.log.debug({ method }, 'ACP notification without a handler ignored');
    try {
      h(params);
    } catch (err) {
      this.log.error({ err, method }, 'ACP notification handler threw');
    }
  }

  private async answer(id: number | string, method: string, params: unknown): Promise<void> {
    const h = this.requests.get(method);
    if (!h) {
      this.send({ jsonrpc: '2.0', id, error: { code: RPC.methodNotFound, message: `method ${method} is not served by this client` } });
      return;
    }
    try {
      const result = await h(params);
      this.send({ jsonrpc: '2.0', id, result: result ?? {} });
    } catch (err) {
      const e = err instanceof RpcError ? err : new RpcError(RPC.internal, (err as Error).message ?? String(err));
      if (!(err instanceof RpcError)) this.log.warn({ err, method }, 'ACP request handler failed');
      this.send({ jsonrpc: '2.0', id, error: { code: e.rpcCode, message: e.message, ...(e.data === undefined ? {} : { data: e.data }) } });
    }
  }
}
