import type { PermissionOption, RequestPermissionOutcome, RequestPermissionRequest, ToolCallUpdate } from '@agentclientprotocol/sdk';
import type { PendingPermission, PromptOption } from '../sessions/index.js';
import { AcpNoAllowOption } from './errors.js';
import { isObject, RpcError } from './jsonrpc.js';

/** The tool's own name when the agent tells it (ACP `name`, or claude-agent-acp's `_meta.claudeCode.toolName`). */
export function toolNameOf(call: Partial<ToolCallUpdate>): string | undefined {
  const named = (call as { name?: unknown }).name;
  if (typeof named === 'string' && named) return named;
  const meta = isObject(call._meta) && isObject(call._meta.claudeCode) ? call._meta.claudeCode.toolName : undefined;
  return typeof meta === 'string' && meta ? meta : undefined;
}

/** What the tool call wants to touch: its command, its file, else its title. */
export function detailOf(call: Partial<ToolCallUpdate>): string {
  const input = isObject(call.rawInput) ? call.rawInput : {};
  for (const key of ['command', 'file_path', 'path', 'notebook_path', 'url', 'pattern', 'plan']) {
    const v = input[key];
    if (typeof v === 'string' && v) return v;
  }
  const loc = call.locations?.[0]?.path;
  return loc ?? call.title ?? '';
}

/** The agent's options, numbered in its own order, with their ids and kinds. */
export function toPromptOptions(options: PermissionOption[]): PromptOption[] {
  return options.map((o, i) => ({ number: i + 1, label: o.name, id: o.optionId, kind: o.kind }));
}

/** A `session/request_permission` as the session's pending permission. */
export function toPendingPermission(req: RequestPermissionRequest): PendingPermission {
  const call = req.toolCall ?? ({} as ToolCallUpdate);
  const tool = toolNameOf(call) ?? call.kind ?? call.title ?? 'tool';
  const plan = tool === 'ExitPlanMode' || call.kind === 'switch_mode';
  return { kind: plan ? 'plan' : 'tool', tool, detail: detailOf(call), options: toPromptOptions(req.options ?? []) };
}

/**
 * The answer to give: option `number` when one was picked, else least privilege, i.e. allow once
 * before allow always. Throws ACP_NO_ALLOW_OPTION when nothing allows.
 */
export function approveOutcome(options: PermissionOption[], number?: number): RequestPermissionOutcome {
  const picked = number !== undefined ? options[number - 1]
    : options.find((o) => o.kind === 'allow_once') ?? options.find((o) => o.kind === 'allow_always');
  if (!picked) throw new AcpNoAllowOption();
  return { outcome: 'selected', optionId: picked.optionId };
}

/** Reject once before reject always; an agent that offers no reject option gets `cancelled`. */
export function rejectOutcome(options: PermissionOption[]): RequestPermissionOutcome {
  const picked = options.find((o) => o.kind === 'reject_once') ?? options.find((o) => o.kind === 'reject_always');
  return picked ? { outcome: 'selected', optionId: picked.optionId } : { outcome: 'cancelled' };
}

interface Held { request: RequestPermissionRequest; pending: PendingPermission; answer: (o: RequestPermissionOutcome) => void }

/**
 * The permission requests an agent is waiting on, oldest first. Only the oldest is shown as the
 * session's pending permission; agents that run tools in parallel may ask several at once.
 */
export class PermissionQueue {
  private readonly held: Held[] = [];

  /** `max`: requests held at once; an agent asking more gets a JSON-RPC error instead of memory. */
  constructor(private readonly max = Number.POSITIVE_INFINITY) {}

  /** Holds a request; resolves with the outcome once a user (or a cancel) answers it. */
  hold(request: RequestPermissionRequest): Promise<RequestPermissionOutcome> {
    if (this.held.length >= this.max) {
      return Promise.reject(new RpcError(-32000, `${this.held.length} permission requests are already waiting, the most allowed`, { code: 'AEGIS_ERR_ACP_PERMISSION_LIMIT' }));
    }
    return new Promise((answer) => this.held.push({ request, pending: toPendingPermission(request), answer }));
  }

  /** The permission shown to users, if any. */
  current(): PendingPermission | undefined { return this.held[0]?.pending; }

  /** Answers the oldest request. Returns false when none is held. */
  answer(pick: (options: PermissionOption[]) => RequestPermissionOutcome): boolean {
    const head = this.held[0];
    if (!head) return false;
    const outcome = pick(head.request.options ?? []);
    this.held.shift();
    head.answer(outcome);
    return true;
  }

  /** Answers every held request with `cancelled` (interrupt, stop, the agent went away). */
  cancelAll(): number {
    const n = this.held.length;
    for (const h of this.held.splice(0)) h.answer({ outcome: 'cancelled' });
    return n;
  }
}
