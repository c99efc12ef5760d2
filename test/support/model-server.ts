/**
 * Fake Anthropic Messages API for driving the real Claude Code CLI offline.
 *
 * Start it, point the CLI at it with ANTHROPIC_BASE_URL=model.url (see
 * sandbox-home.ts), and script what "the model" answers:
 *
 *   const model = await startModelServer();
 *   model.script([reply.bash('echo hi > out.txt', 'Write a file'), reply.text('done')]);
 *
 * Routing (learned from Claude Code 2.1.197, see plugins/claude-code/NOTES.md):
 * the CLI sends POST /v1/messages?beta=true for every model call. Only the
 * main conversation loop consumes scripted replies ("turn" requests). Those
 * are recognised by: `stream: true`, a non-empty `tools` array that contains
 * the core agent tools (Bash/Read/Write...), and a system prompt that does not
 * belong to one of the CLI's helper prompts. Everything else is a "side"
 * request and gets a short generic text reply:
 *   - the startup quota/health probe: max_tokens 1, single user message
 *     "quota", no tools;
 *   - session title / topic generation: no tools, short system prompt asking
 *     for a title (answered with a JSON title so the CLI is happy);
 *   - any other tool-less helper call (summaries, prompt suggestions, ...).
 * POST /v1/messages/count_tokens answers {input_tokens}. Unknown routes are
 * recorded (kind "other"), logged when `log` is on, and answered with `{}`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';

// ---------------------------------------------------------------------------
// Replies
// ---------------------------------------------------------------------------

export type BlockSpec =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

export interface MessageReply {
  kind: 'message';
  blocks: BlockSpec[];
  stopReason: 'end_turn' | 'tool_use' | 'max_tokens' | 'stop_sequence';
  /** Delay between streamed chunks (ms). 0 = send everything at once. */
  chunkDelayMs: number;
  /** Characters per text_delta / input_json_delta chunk. */
  chunkSize: number;
  /** Delay before the response headers are sent (ms). */
  initialDelayMs: number;
}

export interface ErrorReply {
  kind: 'error';
  status: number;
  errorType: string;
  message: string;
  /** Serve this error for this many consecutive turn requests (CLI retries). */
  times: number;
}

/** A reply computed from the request it answers (e.g. to reuse a path the CLI sent). */
export interface DynamicReply {
  kind: 'dynamic';
  build: (req: RecordedRequest) => MessageReply | ErrorReply;
}

export type Reply = MessageReply | ErrorReply | DynamicReply;

export interface QuestionOption {
  label: string;
  description: string;
}
export interface Question {
  question: string;
  header: string;
  options: QuestionOption[];
  multiSelect?: boolean;
}

export interface SlowOptions {
  chunkDelayMs?: number;
  chunkSize?: number;
  initialDelayMs?: number;
}

export function toolUseId(): string {
  return 'toolu_' + randomBytes(12).toString('hex');
}

function message(blocks: BlockSpec[], stopReason: MessageReply['stopReason'], opts: SlowOptions = {}): MessageReply {
  return {
    kind: 'message',
    blocks,
    stopReason,
    chunkDelayMs: opts.chunkDelayMs ?? 0,
    chunkSize: opts.chunkSize ?? 16,
    initialDelayMs: opts.initialDelayMs ?? 0,
  };
}

function withLead(text: string | undefined, block: BlockSpec): BlockSpec[] {
  return text ? [{ type: 'text', text }, block] : [block];
}

export const reply = {
  /** A plain assistant text answer that ends the turn. */
  text(text: string, opts: SlowOptions = {}): MessageReply {
    return message([{ type: 'text', text }], 'end_turn', opts);
  },
  /** Text streamed slowly, chunk by chunk (keeps the CLI in its "working" state). */
  slowText(text: string, opts: SlowOptions = {}): MessageReply {
    return message([{ type: 'text', text }], 'end_turn', {
      chunkDelayMs: opts.chunkDelayMs ?? 250,
      chunkSize: opts.chunkSize ?? 4,
      initialDelayMs: opts.initialDelayMs ?? 0,
    });
  },
  /** Any tool call. `text` is an optional text block streamed before the tool_use block. */
  toolUse(name: string, input: Record<string, unknown>, opts: SlowOptions & { text?: string; id?: string } = {}): MessageReply {
    return message(withLead(opts.text, { type: 'tool_use', id: opts.id ?? toolUseId(), name, input }), 'tool_use', opts);
  },
  /** A Bash tool call. `description` is what the permission prompt shows under the command. */
  bash(command: string, description?: string, opts: SlowOptions & { text?: string; id?: string } = {}): MessageReply {
    const input: Record<string, unknown> = { command };
    if (description !== undefined) input.description = description;
    return reply.toolUse('Bash', input, opts);
  },
  /** A Write tool call (file_path must be absolute). */
  write(filePath: string, content: string, opts: SlowOptions & { text?: string; id?: string } = {}): MessageReply {
    return reply.toolUse('Write', { file_path: filePath, content }, opts);
  },
  /** An Edit tool call (the file must have been Read earlier in the session or the CLI refuses). */
  edit(filePath: string, oldString: string, newString: string, opts: SlowOptions & { text?: string; id?: string } = {}): MessageReply {
    return reply.toolUse('Edit', { file_path: filePath, old_string: oldString, new_string: newString }, opts);
  },
  /** A Read tool call. */
  read(filePath: string, opts: SlowOptions & { text?: string; id?: string } = {}): MessageReply {
    return reply.toolUse('Read', { file_path: filePath }, opts);
  },
  /** An AskUserQuestion tool call; pass one question or several (max 4). */
  askUserQuestion(q: Question | Question[], opts: SlowOptions & { text?: string; id?: string } = {}): MessageReply {
    const questions = (Array.isArray(q) ? q : [q]).map((x) => ({ ...x, multiSelect: x.multiSelect ?? false }));
    return reply.toolUse('AskUserQuestion', { questions }, opts);
  },
  /**
   * Leave plan mode with `plan` (use with --permission-mode plan).
   * Claude Code 2.1.197 shows the approval dialog from the session's plan
   * FILE (~/.claude/plans/<slug>.md, named in a system-reminder of the turn
   * request), not from the tool input; with no file it only says "Claude
   * wants to exit plan mode". So this reply, at serve time, finds that path
   * in the request and answers with two tool_use blocks: Write(planFile,
   * plan) (allowed without a prompt in plan mode) then ExitPlanMode({plan}).
   * If no path is found only the ExitPlanMode block is sent.
   */
  exitPlanMode(plan: string, opts: SlowOptions & { text?: string } = {}): DynamicReply {
    return {
      kind: 'dynamic',
      build(req) {
        const planFile = findPlanFile(req.body);
        const blocks: BlockSpec[] = [];
        if (opts.text) blocks.push({ type: 'text', text: opts.text });
        if (planFile) {
          blocks.push({ type: 'tool_use', id: toolUseId(), name: 'Write', input: { file_path: planFile, content: plan } });
        }
        blocks.push({ type: 'tool_use', id: toolUseId(), name: 'ExitPlanMode', input: { plan } });
        return message(blocks, 'tool_use', opts);
      },
    };
  },
  /** Build the reply from the request when it arrives. */
  dynamic(build: (req: RecordedRequest) => MessageReply | ErrorReply): DynamicReply {
    return { kind: 'dynamic', build };
  },
  /**
   * An HTTP error answer, e.g. apiError(529, 'overloaded_error').
   * The CLI retries 5xx/429/529 (CLAUDE_CODE_MAX_RETRIES, default 10); use
   * `times` to serve the error to that many consecutive turn requests, or set
   * maxRetries: 0 in the sandbox env so a single error surfaces immediately.
   */
  apiError(status: number, errorType: string, message?: string, opts: { times?: number } = {}): ErrorReply {
    return {
      kind: 'error',
      status,
      errorType,
      message: message ?? defaultErrorMessage(errorType),
      times: opts.times ?? 1,
    };
  },
};

/**
 * The plan file path Claude Code announces in plan mode ("...create your plan
 * at /home/.claude/plans/<slug>.md using the Write tool" or "A plan file
 * already exists at <path>").
 */
export function findPlanFile(body: any): string | undefined {
  const s = JSON.stringify(body?.messages ?? []);
  const m = /(\/[^\s"\\]*\/plans\/[^\s"\\]+\.md)/.exec(s);
  return m?.[1];
}

function defaultErrorMessage(errorType: string): string {
  switch (errorType) {
    case 'overloaded_error':
      return 'Overloaded';
    case 'rate_limit_error':
      return 'Number of request tokens has exceeded your per-minute rate limit';
    case 'authentication_error':
      return 'invalid x-api-key';
    case 'invalid_request_error':
      return 'Invalid request';
    default:
      return 'Internal server error';
  }
}

// ---------------------------------------------------------------------------
// Recorded requests
// ---------------------------------------------------------------------------

export type RequestKind = 'turn' | 'side' | 'count_tokens' | 'other';

export interface RecordedRequest {
  /** 0-based order of arrival over all requests. */
  seq: number;
  kind: RequestKind;
  method: string;
  /** Path without query string, e.g. /v1/messages. */
  path: string;
  query: string;
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON body (undefined when the body is empty or not JSON). */
  body: any;
  raw: string;
  receivedAt: number;
  /** The reply served (turn/side requests only). */
  served?: Reply;
}

/** The core tools whose presence marks the main agent loop. */
const AGENT_TOOLS = new Set(['Bash', 'Read', 'Write', 'Edit', 'Glob', 'Grep']);

function systemText(body: any): string {
  const s = body?.system;
  if (typeof s === 'string') return s;
  if (Array.isArray(s)) return s.map((b: any) => (typeof b?.text === 'string' ? b.text : '')).join('\n');
  return '';
}

/**
 * Is this /v1/messages body a turn of the real conversation?
 * See the header comment for the rule and why.
 */
export function isConversationTurn(body: any): boolean {
  if (!body || typeof body !== 'object') return false;
  if (body.stream !== true) return false;
  const tools: any[] = Array.isArray(body.tools) ? body.tools : [];
  if (!tools.some((t) => AGENT_TOOLS.has(t?.name))) return false;
  const sys = systemText(body);
  if (/generate a (concise|short).*title/i.test(sys)) return false;
  return true;
}

/** Text of every text block (or string content) of every user message. */
export function userTexts(body: any): string[] {
  const out: string[] = [];
  for (const m of body?.messages ?? []) {
    if (m?.role !== 'user') continue;
    if (typeof m.content === 'string') out.push(m.content);
    else for (const b of m.content ?? []) if (b?.type === 'text') out.push(b.text);
  }
  return out;
}

/** All tool_result blocks sent back to the model, oldest first. */
export function toolResults(body: any): Array<{ tool_use_id: string; content: unknown; is_error?: boolean; text: string }> {
  const out: Array<{ tool_use_id: string; content: unknown; is_error?: boolean; text: string }> = [];
  for (const m of body?.messages ?? []) {
    if (m?.role !== 'user' || !Array.isArray(m.content)) continue;
    for (const b of m.content) {
      if (b?.type !== 'tool_result') continue;
      const text =
        typeof b.content === 'string'
          ? b.content
          : Array.isArray(b.content)
            ? b.content.map((c: any) => (c?.type === 'text' ? c.text : '')).join('')
            : '';
      out.push({ tool_use_id: b.tool_use_id, content: b.content, is_error: b.is_error, text });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Server
// ---------------------------------------------------------------------------

export interface ModelServerOptions {
  /** Reply used for turn requests when the script is empty. Default: text "ok". */
  defaultReply?: Reply;
  /** Text used for side requests. */
  sideText?: string;
  /** Log unknown routes / every request to stderr. */
  log?: boolean | 'all';
  /** Model name echoed back in responses (default: the requested model). */
  model?: string;
}

export interface ModelServer {
  /** Base URL, e.g. http://127.0.0.1:43123 (no trailing slash). */
  readonly url: string;
  readonly port: number;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** Only the conversation-turn requests. */
  readonly turns: RecordedRequest[];
  /** Replies not yet consumed. */
  readonly pending: number;
  /** Append replies to the script (consumed in order by turn requests). */
  script(replies: Reply[]): void;
  /** Replace the reply used when the script is empty. */
  setDefaultReply(r: Reply): void;
  /**
   * Resolve with the first recorded request (already received or future)
   * matching `predicate`; reject after timeoutMs.
   */
  waitForRequest(predicate: (r: RecordedRequest) => boolean, timeoutMs?: number): Promise<RecordedRequest>;
  /** Resolve once `n` turn requests have arrived in total; returns the n-th. */
  waitForTurn(n: number, timeoutMs?: number): Promise<RecordedRequest>;
  close(): Promise<void>;
}

function sse(res: http.ServerResponse, event: string, data: unknown): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function chunks(s: string, size: number): string[] {
  if (s.length === 0) return [''];
  const out: string[] = [];
  for (let i = 0; i < s.length; i += size) out.push(s.slice(i, i + size));
  return out;
}

function estimateTokens(raw: string): number {
  return Math.max(1, Math.ceil(raw.length / 4));
}

function msgId(): string {
  return 'msg_' + randomBytes(12).toString('hex');
}

export async function startModelServer(opts: ModelServerOptions = {}): Promise<ModelServer> {
  const requests: RecordedRequest[] = [];
  const queue: Reply[] = [];
  let defaultReply: Reply = opts.defaultReply ?? reply.text('ok');
  const sideText = opts.sideText ?? 'ok';
  const waiters = new Set<{ pred: (r: RecordedRequest) => boolean; resolve: (r: RecordedRequest) => void }>();
  const sockets = new Set<import('node:net').Socket>();
  let closed = false;

  function record(r: RecordedRequest): void {
    requests.push(r);
    for (const w of [...waiters]) {
      let hit = false;
      try {
        hit = w.pred(r);
      } catch {
        hit = false;
      }
      if (hit) {
        waiters.delete(w);
        w.resolve(r);
      }
    }
  }

  function nextTurnReply(): Reply {
    const head = queue[0];
    if (!head) return defaultReply;
    if (head.kind === 'error' && head.times > 1) {
      head.times -= 1;
      return { ...head, times: 1 };
    }
    queue.shift();
    return head;
  }

  async function sendMessage(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    body: any,
    r: MessageReply,
    inputTokens: number,
  ): Promise<void> {
    const model = opts.model ?? (typeof body?.model === 'string' ? body.model : 'claude-test');
    const id = msgId();
    const outputTokens = r.blocks.reduce(
      (n, b) => n + estimateTokens(b.type === 'text' ? b.text : JSON.stringify(b.input)),
      0,
    );
    const usage = {
      input_tokens: inputTokens,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      output_tokens: outputTokens,
    };
    if (r.initialDelayMs > 0) await sleep(r.initialDelayMs);
    if (body?.stream !== true) {
      const content = r.blocks.map((b) => (b.type === 'text' ? { type: 'text', text: b.text } : b));
      res.writeHead(200, { 'content-type': 'application/json', 'request-id': 'req_' + id.slice(4) });
      res.end(
        JSON.stringify({
          id,
          type: 'message',
          role: 'assistant',
          model,
          content,
          stop_reason: r.stopReason,
          stop_sequence: null,
          usage,
        }),
      );
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'request-id': 'req_' + id.slice(4),
    });
    let aborted = false;
    req.on('close', () => {
      if (!res.writableFinished) aborted = true;
    });
    res.on('close', () => {
      if (!res.writableFinished) aborted = true;
    });
    const pause = async () => {
      if (r.chunkDelayMs > 0) await sleep(r.chunkDelayMs);
    };
    sse(res, 'message_start', {
      type: 'message_start',
      message: {
        id,
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...usage, output_tokens: 1 },
      },
    });
    sse(res, 'ping', { type: 'ping' });
    for (let index = 0; index < r.blocks.length; index++) {
      const b = r.blocks[index]!;
      if (aborted || closed) return;
      if (b.type === 'text') {
        sse(res, 'content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
        for (const c of chunks(b.text, r.chunkSize)) {
          await pause();
          if (aborted || closed) return;
          sse(res, 'content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: c } });
        }
      } else {
        sse(res, 'content_block_start', {
          type: 'content_block_start',
          index,
          content_block: { type: 'tool_use', id: b.id, name: b.name, input: {} },
        });
        for (const c of chunks(JSON.stringify(b.input), Math.max(r.chunkSize, 32))) {
          await pause();
          if (aborted || closed) return;
          sse(res, 'content_block_delta', {
            type: 'content_block_delta',
            index,
            delta: { type: 'input_json_delta', partial_json: c },
          });
        }
      }
      sse(res, 'content_block_stop', { type: 'content_block_stop', index });
    }
    sse(res, 'message_delta', {
      type: 'message_delta',
      delta: { stop_reason: r.stopReason, stop_sequence: null },
      usage: { output_tokens: outputTokens },
    });
    sse(res, 'message_stop', { type: 'message_stop' });
    res.end();
  }

  function sendError(res: http.ServerResponse, e: ErrorReply): void {
    const headers: http.OutgoingHttpHeaders = {
      'content-type': 'application/json',
      'request-id': 'req_' + randomBytes(8).toString('hex'),
    };
    // Tell the SDK not to wait long between retries.
    if (e.status === 429 || e.status >= 500) headers['retry-after-ms'] = '10';
    res.writeHead(e.status, headers);
    res.end(JSON.stringify({ type: 'error', error: { type: e.errorType, message: e.message } }));
  }

  function sideReply(body: any): MessageReply {
    const sys = systemText(body);
    // Title generators ask for JSON like {"title": "..."}; give them one.
    if (/title/i.test(sys) && /json/i.test(sys)) return reply.text('{"title": "Test session"}');
    return reply.text(sideText);
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunksIn: Buffer[] = [];
    for await (const c of req) chunksIn.push(c as Buffer);
    const raw = Buffer.concat(chunksIn).toString('utf8');
    let body: any;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = undefined;
    }
    const full = req.url ?? '/';
    const qi = full.indexOf('?');
    const path = qi >= 0 ? full.slice(0, qi) : full;
    const query = qi >= 0 ? full.slice(qi + 1) : '';
    const method = req.method ?? 'GET';
    let kind: RequestKind = 'other';
    if (method === 'POST' && path === '/v1/messages') kind = isConversationTurn(body) ? 'turn' : 'side';
    else if (method === 'POST' && path === '/v1/messages/count_tokens') kind = 'count_tokens';
    const rec: RecordedRequest = {
      seq: requests.length,
      kind,
      method,
      path,
      query,
      headers: req.headers,
      body,
      raw,
      receivedAt: Date.now(),
    };
    if (opts.log === 'all' || (opts.log && kind === 'other')) {
      process.stderr.write(`[model-server] ${kind} ${method} ${full} ${raw.slice(0, 300)}\n`);
    }
    const inputTokens = estimateTokens(raw);
    if (kind === 'turn' || kind === 'side') {
      let r: Reply = kind === 'turn' ? nextTurnReply() : sideReply(body);
      if (r.kind === 'dynamic') r = r.build(rec);
      rec.served = r;
      record(rec);
      if (r.kind === 'error') sendError(res, r);
      else await sendMessage(req, res, body, r, inputTokens);
      return;
    }
    record(rec);
    if (kind === 'count_tokens') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ input_tokens: inputTokens }));
      return;
    }
    if (method === 'GET' && path === '/v1/models') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data: [], has_more: false, first_id: null, last_id: null }));
      return;
    }
    // Unknown: answer harmlessly.
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (opts.log) process.stderr.write(`[model-server] handler error: ${String(err)}\n`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;

  const api: ModelServer = {
    url,
    port,
    requests,
    get turns() {
      return requests.filter((r) => r.kind === 'turn');
    },
    get pending() {
      return queue.length;
    },
    script(replies) {
      queue.push(...replies);
    },
    setDefaultReply(r) {
      defaultReply = r;
    },
    waitForRequest(predicate, timeoutMs = 10_000) {
      const found = requests.find((r) => {
        try {
          return predicate(r);
        } catch {
          return false;
        }
      });
      if (found) return Promise.resolve(found);
      return new Promise<RecordedRequest>((resolve, reject) => {
        const w = {
          pred: predicate,
          resolve: (r: RecordedRequest) => {
            clearTimeout(timer);
            resolve(r);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(w);
          reject(new Error(`model-server: no matching request within ${timeoutMs}ms (saw ${requests.length} requests)`));
        }, timeoutMs);
        waiters.add(w);
      });
    },
    waitForTurn(n, timeoutMs = 10_000) {
      let count = 0;
      return api.waitForRequest((r) => r.kind === 'turn' && ++count === n, timeoutMs);
    },
    async close() {
      closed = true;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
  };
  return api;
}
