import t from 'tap';
import fp from 'fastify-plugin';
import { PassThrough, Writable } from 'node:stream';
import { get } from 'node:http';
import { once } from 'node:events';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildTestApp, bearer, recordingLogger, TEST_TOKEN } from '../test/support/app.js';
import { catalogue as realCatalogue } from '../plugins/index.js';
import { createRootLogger } from './logger.js';
import type { Catalogue } from './plugins/types.js';

// A plugin with a route that fails, for the 5xx line.
const boom = fp(async (app: FastifyInstance) => {
  app.get('/v1/test-boom', async () => { throw new Error('kaput'); });
  // A stream that never ends, like an event stream: only the client can end the request.
  app.get('/v1/test-stream', async (_request, reply) => {
    const body = new PassThrough();
    body.write('data: hello\n\n');
    return reply.type('text/event-stream').send(body);
  });
}, { name: 'boom', fastify: '5.x', dependencies: ['auth'] });
const catalogue: Catalogue = {
  auth: realCatalogue.auth!,
  boom: { load: async () => ({ default: boom }), enabledByDefault: true, description: 'a failing route' },
};

async function app(t: { teardown(fn: () => unknown): void }, level: string, logger?: Logger) {
  const rec = recordingLogger(level);
  const a = await buildTestApp({ catalogue, logger: logger ?? rec.logger });
  t.teardown(() => a.close());
  const records = () => rec.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { a, records, lines: rec.lines };
}

/** The records a request wrote: those carrying its request id. */
const of = (records: Array<Record<string, unknown>>, reqId: string) => records.filter((r) => r.reqId === reqId);

t.test('a request writes exactly one line at info, when it completes, with what an operator needs', async (t) => {
  const { a, records } = await app(t, 'info');
  const res = await a.inject({ method: 'GET', url: '/v1/auth/whoami', headers: { ...bearer(), 'x-request-id': 'one-line-1' } });
  const lines = of(records(), 'one-line-1');
  t.equal(lines.length, 1, `one line, got ${JSON.stringify(lines)}`);
  t.match(lines[0], {
    level: 30, msg: 'request completed', method: 'GET', url: '/v1/auth/whoami', statusCode: res.statusCode,
    principalId: 'master', ip: '127.0.0.1',
  });
  t.type(lines[0]!.durationMs, 'number');
});

t.test('a health check writes no line at info and one at debug', async (t) => {
  const info = await app(t, 'info');
  await info.a.inject({ method: 'GET', url: '/v1/health', headers: { 'x-request-id': 'health-info' } });
  t.same(of(info.records(), 'health-info'), [], 'nothing at info');
  const debug = await app(t, 'debug');
  await debug.a.inject({ method: 'GET', url: '/v1/health', headers: { 'x-request-id': 'health-debug' } });
  const lines = of(debug.records(), 'health-debug');
  t.equal(lines.length, 1, 'one line at debug');
  t.match(lines[0], { level: 20, msg: 'request completed', url: '/v1/health', statusCode: 200 });
});

t.test('the start of a request is logged only at trace', async (t) => {
  const { a, records } = await app(t, 'trace');
  await a.inject({ method: 'GET', url: '/v1/auth/whoami', headers: { ...bearer(), 'x-request-id': 'traced-1' } });
  t.same(of(records(), 'traced-1').map((r) => [r.level, r.msg]), [[10, 'incoming request'], [30, 'request completed']]);
});

t.test('credentials in the URL and headers never reach the line', async (t) => {
  const { a, records, lines } = await app(t, 'trace');
  await a.inject({ method: 'GET', url: '/v1/auth/whoami?token=sekrit-stream-token&x=1', headers: { ...bearer(), 'x-request-id': 'masked-1' } });
  const mine = of(records(), 'masked-1');
  t.ok(mine.length >= 1);
  for (const r of mine) t.equal(r.url, '/v1/auth/whoami?token=[REDACTED]&x=1');
  t.notMatch(lines.join(''), /sekrit-stream-token/);
  t.notMatch(lines.join(''), new RegExp(TEST_TOKEN));
});

t.test('a 5xx answer is a warning line beside the failure the error handler writes', async (t) => {
  const { a, records } = await app(t, 'info');
  const res = await a.inject({ method: 'GET', url: '/v1/test-boom', headers: { ...bearer(), 'x-request-id': 'boom-1' } });
  t.equal(res.statusCode, 500);
  const lines = of(records(), 'boom-1');
  t.same(lines.map((r) => [r.level, r.msg]), [[50, 'request failed'], [40, 'request completed']]);
  t.equal(lines[1]!.statusCode, 500);
});

t.test('a stream the client leaves still gets its one line, marked aborted', async (t) => {
  const { a, records } = await app(t, 'info');
  await a.listen({ host: '127.0.0.1', port: 0 });
  const { port } = a.server.address() as { port: number };
  const req = get({ host: '127.0.0.1', port, path: '/v1/test-stream?token=sekrit', headers: { ...bearer(), 'x-request-id': 'left-1' } });
  const [res] = await once(req, 'response') as [import('node:http').IncomingMessage];
  t.equal(res.statusCode, 200);
  await once(res, 'data');
  req.destroy();
  // The line is written when the server sees the connection close: wait for it, bounded.
  for (let i = 0; i < 200 && of(records(), 'left-1').length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  const lines = of(records(), 'left-1');
  t.equal(lines.length, 1, 'one line, nothing else about it');
  t.match(lines[0], { msg: 'request completed', url: '/v1/test-stream?token=[REDACTED]', statusCode: 200, aborted: true });
});

/** A stream that says whether it is a terminal, and keeps what is written to it. */
function sink(isTTY: boolean) {
  const chunks: string[] = [];
  const out = Object.assign(new Writable({ write(c, _e, done) { chunks.push(String(c)); done(); } }), { isTTY });
  return { out, text: () => chunks.join('') };
}

t.test('logs are JSON lines when stdout is not a terminal', async (t) => {
  const s = sink(false);
  const logger = await createRootLogger('info', 'auto', s.out);
  const { a } = await app(t, 'info', logger);
  await a.inject({ method: 'GET', url: '/v1/auth/whoami', headers: { ...bearer(), 'x-request-id': 'json-1' } });
  const mine = s.text().trim().split('\n').map((l) => JSON.parse(l)).filter((r) => r.reqId === 'json-1');
  t.equal(mine.length, 1);
  t.equal(mine[0].msg, 'request completed');
});

t.test('on a terminal each record is one human-readable line; AEGIS_LOG_FORMAT=json keeps JSON there', async (t) => {
  const s = sink(true);
  const { a } = await app(t, 'info', await createRootLogger('info', 'auto', s.out));
  await a.inject({ method: 'GET', url: '/v1/auth/whoami?token=sekrit', headers: { ...bearer(), 'x-request-id': 'pretty-1' } });
  const line = s.text().split('\n').find((l) => l.includes('pretty-1'));
  t.ok(line, 'the access line is there');
  t.match(line, /GET \/v1\/auth\/whoami\?token=\[REDACTED\] 200 [\d.]+ ms/);
  t.throws(() => JSON.parse(line!), 'not JSON');
  t.notMatch(s.text(), /sekrit/);

  const j = sink(true);
  const { a: b } = await app(t, 'info', await createRootLogger('info', 'json', j.out));
  await b.inject({ method: 'GET', url: '/v1/auth/whoami', headers: { ...bearer(), 'x-request-id': 'json-tty' } });
  const rec = j.text().trim().split('\n').map((l) => JSON.parse(l)).find((r) => r.reqId === 'json-tty');
  t.match(rec, { msg: 'request completed', url: '/v1/auth/whoami' });
});
