/**
 * The typed API client. Types come from the server's own plugins with `import type`, so a change
 * of a route's shape breaks the dashboard's build, not its users. The token lives in this module
 * only: never in storage, never in a URL.
 */
import type {
  AgentsList, CreateSessionInput, ListPage, PermissionMode, SessionState, SessionView, TranscriptPage,
} from '../../plugins/sessions/index.js';
import type { CreateKeyInput, KeyViewT, KeyWithSecretT, WhoAmIT } from '../../plugins/auth/index.js';
import type { AuditRecord, VerifyReport } from '../../plugins/audit/index.js';
import type { ErrorBody } from '../../kernel/index.js';

export type { AgentsList, AuditRecord, CreateKeyInput, KeyViewT, KeyWithSecretT, PermissionMode, SessionState, SessionView, TranscriptPage, VerifyReport, WhoAmIT };
export type { TranscriptEntry, PendingPermission, PendingQuestion } from '../../plugins/sessions/index.js';

/** Every state, in the order the filters show them. */
export const STATES: readonly SessionState[] = [
  'starting', 'working', 'idle', 'permission_prompt', 'ask_question', 'plan_mode', 'compacting', 'rate_limit', 'error', 'ending', 'exited',
];
export const PERMISSION_MODES: readonly PermissionMode[] = ['default', 'acceptEdits', 'plan', 'bypassPermissions', 'dontAsk'];

let token: string | undefined;

/** The legacy storage key older dashboards used; removed on start. */
export const LEGACY_TOKEN_KEY = 'aegis_token';

export const setToken = (t: string | undefined) => { token = t; };
export const getToken = () => token;

/** An error answer of the API, with its code. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) { super(message); }
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) {
    let err: Partial<ErrorBody> = {};
    try { err = JSON.parse(text) as ErrorBody; } catch { /* not JSON */ }
    throw new ApiError(res.status, err.code ?? `HTTP_${res.status}`, err.message ?? res.statusText);
  }
  const type = res.headers.get('content-type') ?? '';
  return (type.includes('json') ? JSON.parse(text) : text) as T;
}

const q = (params: Record<string, string | number | boolean | undefined>) => {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') s.set(k, String(v));
  const str = s.toString();
  return str ? `?${str}` : '';
};
const sid = (id: string) => `/v1/sessions/${encodeURIComponent(id)}`;

/** Audit filters as the route takes them. */
export interface AuditFilter { actor?: string; action?: string; sessionId?: string; from?: string; to?: string; cursor?: string; limit?: number }

export const api = {
  whoami: () => call<WhoAmIT>('GET', '/v1/auth/whoami'),
  health: () => call<{ status: string; version: string; uptime: number }>('GET', '/v1/health'),
  agents: () => call<AgentsList>('GET', '/v1/agents'),
  openapi: () => call<{ tags?: Array<{ name: string }>; paths: Record<string, Record<string, { tags?: string[] }>> }>('GET', '/v1/openapi.json'),
  /** Every session the caller may see (pages of 500). */
  async sessions(): Promise<SessionView[]> {
    const out: SessionView[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 20; i++) {
      const page = await call<ListPage>('GET', `/v1/sessions${q({ limit: 500, cursor })}`);
      out.push(...page.sessions);
      cursor = page.nextCursor;
      if (!cursor) break;
    }
    return out;
  },
  session: (id: string) => call<SessionView>('GET', sid(id)),
  create: (input: CreateSessionInput) => call<SessionView & { reused: boolean }>('POST', '/v1/sessions', input),
  send: (id: string, text: string) => call<{ delivered: boolean }>('POST', `${sid(id)}/send`, { text }),
  approve: (id: string, option?: number) => call<{ ok: true }>('POST', `${sid(id)}/approve`, option === undefined ? {} : { option }),
  reject: (id: string) => call<{ ok: true }>('POST', `${sid(id)}/reject`, {}),
  answer: (id: string, answer: { option?: number; text?: string }) => call<{ ok: true }>('POST', `${sid(id)}/answer`, answer),
  interrupt: (id: string) => call<{ ok: true }>('POST', `${sid(id)}/interrupt`, {}),
  kill: (id: string) => call<SessionView>('DELETE', sid(id)),
  transcript: (id: string) => call<TranscriptPage>('GET', `${sid(id)}/transcript${q({ limit: 1000 })}`),
  recording: (id: string) => call<string>('GET', `${sid(id)}/recording.cast`),
  audit: (f: AuditFilter) => call<{ records: AuditRecord[]; nextCursor?: string }>('GET', `/v1/audit${q({ ...f })}`),
  auditVerify: () => call<VerifyReport>('GET', '/v1/audit?verify=true'),
  auditExport: (f: AuditFilter, format: 'csv' | 'ndjson') => call<string>('GET', `/v1/audit${q({ ...f, format })}`),
  keys: () => call<{ keys: KeyViewT[] }>('GET', '/v1/auth/keys'),
  createKey: (input: CreateKeyInput) => call<KeyWithSecretT>('POST', '/v1/auth/keys', input),
  revokeKey: (id: string) => call<KeyViewT>('DELETE', `/v1/auth/keys/${encodeURIComponent(id)}`),
};

/** Whether a role may act on sessions (create, send, approve...). */
export const canAct = (me: WhoAmIT | undefined) => !!me && (me.role !== 'viewer' || me.permissions.includes('send'));
export const isAdmin = (me: WhoAmIT | undefined) => me?.role === 'admin';
