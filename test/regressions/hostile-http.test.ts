import t, { type Test } from 'tap';
import { connect } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildTestApp, TEST_TOKEN } from '../support/app.js';

let app: FastifyInstance;
let port: number;

t.before(async () => {
  app = await buildTestApp();
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as { port: number }).port;
});
t.teardown(() => app.close());

/** Writes `raw` on one connection and resolves with everything the server sends before it closes. */
function rawExchange(raw: string | Buffer, ms = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let got = '';
    const timer = setTimeout(() => { socket.destroy(); reject(new Error('no close within the bound')); }, ms);
    socket.on('data', (d) => { got += d.toString('latin1'); });
    socket.on('error', () => undefined);
    socket.on('close', () => { clearTimeout(timer); resolve(got); });
    socket.write(raw);
  });
}

function bodyOf(response: string): Record<string, unknown> {
  return JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;
}

async function healthAnswers(t: Test) {
  const res = await fetch(`http://127.0.0.1:${port}/v1/health`);
  t.equal(res.status, 200, 'the server still answers');
}

t.test('headers over the size limit get 431 HEADERS_TOO_LARGE in the error shape', async (t) => {
  const res = await rawExchange(`GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(100_000)}\r\n\r\n`);
  t.match(res, /^HTTP\/1\.1 431 /);
  const body = bodyOf(res);
  t.equal(body.code, 'AEGIS_ERR_HEADERS_TOO_LARGE');
  t.type(body.requestId, 'string');
  await healthAnswers(t);
});

t.test('a request line that is not HTTP gets 400 BAD_REQUEST in the error shape', async (t) => {
  const res = await rawExchange('HELLO THERE\r\n\r\n');
  t.match(res, /^HTTP\/1\.1 400 /);
  t.equal(bodyOf(res).code, 'AEGIS_ERR_BAD_REQUEST');
  await healthAnswers(t);
});

t.test('a request followed by garbage on the same packet leaves the in-flight count', async (t) => {
  const req = `POST /v1/sessions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TEST_TOKEN}\r\n` +
    'Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}\x00\x01garbage that is no request\r\n\r\n';
  await rawExchange(req);
  const idle = await Promise.race([
    app.lifecycle.whenIdle().then(() => true),
    new Promise<boolean>((r) => setTimeout(() => r(false), 3000)),
  ]);
  t.ok(idle, 'no request is counted as in flight once the connection is gone');
  t.equal(app.lifecycle.inFlight, 0);
  await healthAnswers(t);
});

t.test('a POST without Content-Length whose bytes follow leaves the in-flight count', async (t) => {
  const req = `POST /v1/auth/whoami HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TEST_TOKEN}\r\n\r\n{"not":"a body"}`;
  await rawExchange(req);
  const idle = await Promise.race([
    app.lifecycle.whenIdle().then(() => true),
    new Promise<boolean>((r) => setTimeout(() => r(false), 3000)),
  ]);
  t.ok(idle, 'no request is counted as in flight');
  await healthAnswers(t);
});
