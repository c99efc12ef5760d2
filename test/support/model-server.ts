/**
 * Fake Anthropic Messages API for driving the real Claude Code CLI offline.
 *
 * Start it, point the CLI at it with ANTHROPIC_BASE_URL=model.url (see
 * sandbox-home.ts), and script what "the model" answers:
 *
 *   const model = await startModelServer();
 *   model.script([reply.bash('echo hi > out.txt', 'Write a file'), reply.text('done')]);
 *
 * What Claude Code 2.1.197 sends (observed; details in plugins/claude-code/NOTES.md):
 *   - HEAD /  once at startup (connectivity probe) -> 200, recorded as "other".
 *   - POST /v1/messages?beta=true for every model call. Headers carry
 *     x-api-key, anthropic-version, anthropic-beta, user-agent
 *     "claude-cli/2.1.197 (external, cli)" and x-claude-code-session-id.
 *   - Conversation turns ("turn"): model claude-opus-4-8, max_tokens 64000,
 *     stream true, ~27 tools (Agent, AskUserQuestion, Bash, Edit,
 *     ExitPlanMode, Read, Write, ...), system[0] a billing header,
 *     system[1] "You are Claude Code, Anthropic's official CLI for Claude.".
 *     Messages may contain role "system" entries (mid-conversation system
 *     beta); the first user message starts with a <system-reminder> block.
 *   - Side requests ("side"), answered with short text that never consumes
 *     the script:
 *       * auto-mode safety classifier (--permission-mode auto): no tools,
 *         not streamed, max_tokens 64/8192, system "You are a security
 *         monitor ..." -> we answer "<block>no</block>" (allow) by default;
 *       * session name / title generation (e.g. after plan approval):
 *         claude-haiku-4-5, no tools, output_config.format json_schema ->
 *         we answer a JSON object built from the schema ("Test session");
 *       * forked helper queries (prompt suggestion, away summary, rename)
 *         reuse the turn's system+tools; they are recognised by their
 *         internal prompt in the last user message. They stay off with the
 *         sandbox env (CLAUDE_CODE_ENABLE_PROMPT_SUGGESTION=false, ...).
 *     With CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 no other side traffic
 *     was seen (no quota probe, no count_tokens) in 2.1.197.
 *   - POST /v1/messages/count_tokens answers {input_tokens}. Unknown routes
 *     are recorded (kind "other"), logged when `log` is on, answered `{}`.
 * The rule for "turn": the body's `tools` include a core agent tool
 * (Bash/Read/Write/Edit/Glob/Grep) and the last user text is not a forked
 * helper prompt. `stream` is not required: the CLI may retry a failed stream
 * as a non-streaming request for the same turn.
 * The CLI does not honour retry-after-ms; it backs off ~1s, 2s, 4s... between
 * retries of 429/5xx/529 (CLAUDE_CODE_MAX_RETRIES, the sandbox sets 0).
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
  /**
   * Returns the reply for this request, or a list: the first answers this
   * request and the rest are put at the FRONT of the script (they answer the
   * next turn requests).
   */
  build: (req: RecordedRequest) => MessageReply | ErrorReply | Reply[];
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
   * Leave plan mode with `plan` (use with --permission-mode plan). Consumes
   * TWO turn requests when the plan file is known.
   * Claude Code 2.1.197 shows the approval dialog from the session's plan
   * FILE (~/.claude/plans/<slug>.md, named in a system-reminder of the turn
   * request), not from the tool input; with no file the dialog only says
   * "Claude wants to exit plan mode". So this reply finds that path in the
   * request and answers Write(planFile, plan) (allowed without a prompt in
   * plan mode); the next turn request gets ExitPlanMode({plan}).
   * (Write + ExitPlanMode in ONE message also shows the dialog, but on a
   * second plan in the same session the CLI restores the previous plan text
   * on approval, so they are sent as separate turns.)
   */
  exitPlanMode(plan: string, opts: SlowOptions & { text?: string } = {}): DynamicReply {
    return {
      kind: 'dynamic',
      build(req) {
        const exit = reply.toolUse('ExitPlanMode', { plan }, opts);
        const planFile = findPlanFile(req.body);
        if (!planFile) return exit;
        return [reply.toolUse('Write', { file_path: planFile, content: plan }, opts), exit];
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
  // Not checking `stream`: the CLI retries a failed stream as a non-streaming
  // request (same body, stream absent), which is still the same turn.
  const tools: any[] = Array.isArray(body.tools) ? body.tools : [];
  if (!tools.some((t) => AGENT_TOOLS.has(t?.name))) return false;
  // Forked helper queries reuse the main loop's system prompt and tools (for
  // prompt-cache hits) and differ only by an internal prompt appended as the
  // last user message. They are off in our sandbox env, but never let them
  // eat a scripted reply.
  const last = lastUserText(body);
  if (FORK_PROMPTS.some((re) => re.test(last))) return false;
  return true;
}

/** Internal prompts of the CLI's forked helper queries (2.1.197). */
const FORK_PROMPTS = [
  /^\[SUGGESTION MODE:/, // prompt_suggestion
  /^The user stepped away and is coming back/, // away_summary
  /^Generate a short kebab-case name/, // rename_generate_name
];

/** The last text block of the last user message ('' if none). */
export function lastUserText(body: any): string {
  const msgs: any[] = body?.messages ?? [];
  for (let i = msgs.length - 1; i >= 0; i--) {
    const m = msgs[i];
    if (m?.role !== 'user') continue;
    if (typeof m.content === 'string') return m.content;
    const texts = (m.content ?? []).filter((b: any) => b?.type === 'text').map((b: any) => String(b.text));
    return texts.length ? texts[texts.length - 1]! : '';
  }
  return '';
}

/**
 * What the human typed, in order: user text blocks that are not CLI-injected
 * (<system-reminder>, <local-command-caveat>, "[Request interrupted ...]").
 */
export function promptTexts(body: any): string[] {
  return userTexts(body).filter(
    (t) => !/^\s*<(system-reminder|local-command|command-name|command-message|command-args)/.test(t) && !/^\[Request interrupted/.test(t),
  );
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
  /** Verdict of the auto-mode (--permission-mode auto) safety classifier. Default 'allow'. */
  autoModeVerdict?: 'allow' | 'block';
  /** Custom answer for side requests; return undefined for the built-in one. */
  onSideRequest?: (body: any) => MessageReply | undefined;
}

function fakeFromSchema(schema: any): unknown {
  switch (schema?.type) {
    case 'object': {
      const o: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(schema.properties ?? {})) o[k] = fakeFromSchema(v);
      return o;
    }
    case 'array':
      return [];
    case 'number':
    case 'integer':
      return 0;
    case 'boolean':
      return false;
    default:
      return schema?.enum?.[0] ?? 'Test session';
  }
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
    const custom = opts.onSideRequest?.(body);
    if (custom) return custom;
    const sys = systemText(body);
    // Auto-mode permission classifier ("You are a security monitor ...");
    // it wants "<block>no</block>" (allow) or "<block>yes</block><reason>..".
    if (/<block>/.test(sys) && /security monitor/i.test(sys)) {
      return (opts.autoModeVerdict ?? 'allow') === 'allow'
        ? reply.text('<block>no</block>')
        : reply.text('<block>yes</block><reason>[Test Block] blocked by the test model server</reason>');
    }
    // Structured-output helpers (e.g. session title: {"title": string}).
    const schema = body?.output_config?.format?.schema ?? body?.output_format?.schema;
    if (schema && typeof schema === 'object') return reply.text(JSON.stringify(fakeFromSchema(schema)));
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
      while (r.kind === 'dynamic') {
        const built = r.build(rec);
        if (Array.isArray(built)) {
          const [first, ...rest] = built;
          queue.unshift(...rest);
          r = first ?? defaultReply;
        } else r = built;
      }
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
