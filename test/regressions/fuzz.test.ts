import t from 'tap';
import fc from 'fast-check';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { bearer, buildTestApp, TEST_TOKEN } from '../support/app.js';
import { fromSchema, type JsonSchema } from '../support/schema-arbitrary.js';

/** How many requests the property sends; each run is seeded and printed, so a failure replays. */
const RUNS = Number(process.env.AEGIS_FUZZ_RUNS ?? 10_000);

interface Operation { method: string; path: string; params: JsonSchema[]; query?: JsonSchema; body?: JsonSchema }

/** Every operation of the server's own OpenAPI document, with the schemas of its inputs. */
function operations(doc: { paths: Record<string, Record<string, { parameters?: Array<{ in: string; name: string; schema: JsonSchema; required?: boolean }>; requestBody?: { content?: Record<string, { schema: JsonSchema }> } }>> }): Operation[] {
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const params = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => ({ ...p.schema, title: p.name } as JsonSchema));
      const queryParams = (op.parameters ?? []).filter((p) => p.in === 'query');
      const query: JsonSchema | undefined = queryParams.length
        ? { type: 'object', properties: Object.fromEntries(queryParams.map((p) => [p.name, p.schema])), required: queryParams.filter((p) => p.required).map((p) => p.name) }
        : undefined;
      ops.push({ method: method.toUpperCase(), path, params, query, body: op.requestBody?.content?.['application/json']?.schema });
    }
  }
  return ops;
}

let app: FastifyInstance;
let work: string;
let ops: Operation[];

t.before(async () => {
  work = await mkdtemp(join(tmpdir(), 'aegis-fuzz-work-'));
  // No agent that reaches a model: the fuzz creates real sessions of the generic command agent only.
  app = await buildTestApp({
    plugins: { auth: { failureLimit: 1_000_000 }, 'claude-code': false, acp: false, command: { command: '/bin/cat', quietMs: 50 }, sessions: { maxSessions: 5, killGraceMs: 200 } },
  });
  const doc = (await app.inject({ method: 'GET', url: '/v1/openapi.json', headers: bearer() })).json();
  // Event and terminal streams never end by design; their refusals are tested in their own plugins.
  ops = operations(doc).filter((op) => !/\/(events|terminal)$/.test(op.path));
});
t.teardown(async () => {
  await app.close();
  await rm(work, { recursive: true, force: true });
  await rm(app.config.stateDir, { recursive: true, force: true });
});

t.test(`${RUNS} requests shaped by the OpenAPI schemas: no 5xx, every error coded, no secret in any answer`, async (t) => {
  t.ok(ops.length >= 20, `${ops.length} operations to fuzz`);
  const auditKey = (await readFile(join(app.config.stateDir, 'audit.key'), 'utf8')).trim();
  const secrets = [TEST_TOKEN, auditKey];
  const statuses = new Map<number, number>();
  const sessionIds = () => app.sessions.list().sessions.map((s) => s.id);

  const request = fc.record({
    op: fc.constantFrom(...ops),
    token: fc.constantFrom<'master' | 'none' | 'bogus'>('master', 'master', 'master', 'none', 'bogus'),
    seed: fc.integer(),
  }).chain(({ op, token }) => fc.record({
    op: fc.constant(op),
    token: fc.constant(token),
    // Path params: often a real session id (so deep handlers run), else anything.
    params: fc.tuple(...op.params.map((p) => fc.oneof(fc.constant('@session'), fc.constant('@workdir'), fromSchema(p)))),
    query: fromSchema(op.query),
    body: op.body ? fromSchema(op.body) : fc.option(fc.anything({ maxDepth: 1 }), { nil: undefined }),
    rawBody: fc.option(fc.constantFrom('{', '{"a":', 'null', '[]', '"x"', '\u0000', '{"workDir":"/tmp"}garbage'), { nil: undefined, freq: 10 }),
  }));

  await fc.assert(fc.asyncProperty(request, async ({ op, token, params, query, body, rawBody }) => {
    const ids = sessionIds();
    let i = 0;
    const url = op.path.replace(/\{[^}]+\}/g, () => {
      const v = params[i++];
      const s = v === '@session' ? (ids[0] ?? 'none') : v === '@workdir' ? work : String(typeof v === 'object' ? JSON.stringify(v) : v);
      // A client can only send a lone surrogate as the replacement character's bytes.
      return encodeURIComponent(s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'));
    });
    const qs = query && typeof query === 'object' && !Array.isArray(query)
      ? new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined).map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : String(v)])).toString()
      : '';
    const headers: Record<string, string> = token === 'master' ? bearer() : token === 'bogus' ? bearer('bogus-token-0123456789abcdefghij') : {};
    const withBody = !['GET', 'HEAD', 'DELETE'].includes(op.method) || body !== undefined;
    // A create body names the fuzz workDir half the time, so sessions really start.
    const payload = rawBody ?? (op.path === '/v1/sessions' && op.method === 'POST' && body && typeof body === 'object' && !Array.isArray(body) && Math.random() < 0.5
      ? JSON.stringify({ ...body, workDir: work, agent: 'command' }) : JSON.stringify(body ?? {}));
    const res = await app.inject({
      method: op.method as 'GET', url: qs ? `${url}?${qs}` : url,
      headers: { ...headers, ...(withBody ? { 'content-type': 'application/json' } : {}) },
      ...(withBody ? { payload } : {}),
    });
    statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
    if (res.statusCode >= 500) throw new Error(`${op.method} ${url}?${qs} -> ${res.statusCode} ${res.body.slice(0, 300)}`);
    if (res.statusCode >= 400) {
      const err = res.json();
      if (typeof err.code !== 'string' || !err.code.startsWith('AEGIS_ERR_') || typeof err.requestId !== 'string') {
        throw new Error(`${op.method} ${url} -> ${res.statusCode} outside the error shape: ${res.body.slice(0, 300)}`);
      }
    }
    for (const secret of secrets) if (res.body.includes(secret)) throw new Error(`${op.method} ${url} answered a secret`);
    for (const id of ids) {
      const hook = app.sessions.record(id) && (app.sessions as unknown as { session(id: string): { hookSecret: string } }).session(id).hookSecret;
      if (hook && res.body.includes(hook)) throw new Error(`${op.method} ${url} answered a hook secret`);
    }
  }), { numRuns: RUNS, verbose: 0 });

  t.comment(`statuses: ${[...statuses].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}x${n}`).join(' ')}`);
  t.ok([...statuses.keys()].every((s) => s < 500), 'no 5xx');
  t.equal((await app.inject({ method: 'GET', url: '/v1/health' })).statusCode, 200, 'health answers afterwards');
});
