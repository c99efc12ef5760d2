import { CliError, EXIT, type Target } from './context.js';

/** An error answer of the server: its code, message and status. */
export class ApiError extends CliError {
  constructor(readonly status: number, code: string, message: string, readonly requestId?: string) {
    super(code, message, EXIT.failed);
  }
}

type Query = Record<string, string | number | boolean | undefined>;

/** A small typed client of the REST API; every failure becomes a CliError with a code. */
export class Client {
  constructor(readonly target: Target, private readonly fetchImpl: typeof fetch = fetch) {}

  url(path: string, query?: Query): string {
    const u = new URL(this.target.baseUrl + path);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) u.searchParams.set(k, String(v));
    return u.toString();
  }

  /** Sends one request; resolves with the raw response when it succeeded. */
  async raw(method: string, path: string, opts: { body?: unknown; query?: Query; signal?: AbortSignal } = {}): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.target.token) headers.authorization = `Bearer ${this.target.token}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await this.fetchImpl(this.url(path, opts.query), {
        method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body), signal: opts.signal,
      });
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw err;
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (err as Error).message;
      throw new CliError('AEGIS_ERR_CLI_UNREACHABLE', `cannot reach Aegis at ${this.target.baseUrl} (${why}); is the server running? Start it with \`ag\``, EXIT.unreachable);
    }
    if (res.ok) return res;
    let body: { code?: string; message?: string; requestId?: string } = {};
    try { body = await res.json() as typeof body; } catch { /* not JSON: the status says enough */ }
    throw new ApiError(res.status, body.code ?? `HTTP_${res.status}`, body.message ?? res.statusText, body.requestId);
  }

  /** Sends one request and parses the JSON answer. */
  async json<T>(method: string, path: string, opts: { body?: unknown; query?: Query } = {}): Promise<T> {
    const res = await this.raw(method, path, opts);
    const text = await res.text();
    return (text ? JSON.parse(text) : {}) as T;
  }

  get<T>(path: string, query?: Query) { return this.json<T>('GET', path, { query }); }
  post<T>(path: string, body: unknown = {}) { return this.json<T>('POST', path, { body }); }
  delete<T>(path: string) { return this.json<T>('DELETE', path); }
}

/** Encodes an id for a path segment. */
export const seg = (id: string) => encodeURIComponent(id);
