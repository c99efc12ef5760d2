import t from 'tap';
import { bearer, TEST_TOKEN } from '../support/app.js';
import { startServer } from '../support/server-process.js';
import { openStream } from '../support/sse-client.js';

/** JSON over real HTTP. */
async function call(url: string, init: RequestInit = {}): Promise<{ status: number; json: any }> {
  const res = await fetch(url, init);
  return { status: res.status, json: await res.json() };
}

t.test('the real server: stream tokens and keys in URLs never reach the log, and streams end at once on SIGTERM', async (t) => {
  // A long grace: if open streams held the drain, the exit below would not come within the test's bound.
  const server = await startServer({ env: { AEGIS_AUTH_TOKEN: TEST_TOKEN, AEGIS_SHUTDOWN_GRACE_MS: '60000', AEGIS_SHUTDOWN_HARD_MS: '90000' } });
  t.teardown(() => server.stop('SIGKILL'));
  const issued = await call(`${server.url}/v1/auth/stream-token`, { method: 'POST', headers: bearer() });
  t.equal(issued.status, 200);
  const token = issued.json.token as string;

  const stream = await openStream(`${server.url}/v1/events?token=${encodeURIComponent(token)}`);
  t.equal(stream.status, 200);
  const elsewhere = await call(`${server.url}/v1/sessions?token=${encodeURIComponent(token)}`);
  t.equal(elsewhere.status, 401, 'refused on a REST route');
  const keyInUrl = await openStream(`${server.url}/v1/events?token=${TEST_TOKEN}`);
  t.equal(keyInUrl.status, 401);
  t.equal(keyInUrl.body.code, 'AEGIS_ERR_AUTH_KEY_IN_URL');

  const refused = await server.waitForLog((l) => l.msg === 'request completed' && String(l.url).startsWith('/v1/sessions?'));
  t.equal(refused.url, '/v1/sessions?token=[REDACTED]', 'the request log masks the token');

  t.ok((await server.stop('SIGTERM')).code === 0, 'a clean exit');
  await stream.ended;
  // The stream's one access line is written when it ends, here at the shutdown.
  const streamed = server.logs.find((l) => l.msg === 'request completed' && String(l.url).startsWith('/v1/events?'));
  t.equal(streamed?.url, '/v1/events?token=[REDACTED]', 'the stream\'s line masks the token too');
  const all = JSON.stringify(server.logs) + server.stderr.join('\n');
  t.notOk(all.includes(token), 'the stream token appears nowhere in the log');
  t.notOk(all.includes(token.slice(9, 30)), 'not even in part');
  t.notOk(all.includes(TEST_TOKEN), 'nor the master token put in a URL');
  t.notOk(server.logs.some((l) => l.msg === 'grace period over; cutting the requests still in flight'), 'the open stream did not hold the drain');
  t.ok(server.logs.some((l) => l.msg === 'shut down'));
});

t.test('AEGIS_SSE_IDLE_MS and AEGIS_SSE_CLIENT_TIMEOUT_MS reach the real server: pings after write silence, then the close', async (t) => {
  const server = await startServer({ env: { AEGIS_AUTH_TOKEN: TEST_TOKEN, AEGIS_SSE_IDLE_MS: '25', AEGIS_SSE_CLIENT_TIMEOUT_MS: '400' } });
  t.teardown(() => server.stop('SIGKILL'));
  const stream = await openStream(`${server.url}/v1/events`, bearer());
  t.equal(stream.status, 200);
  await stream.ended;
  t.ok(stream.comments.filter((c) => c === 'ping').length >= 2, 'pinged at the env idle');
  t.equal(stream.events.length, 0, 'closed for want of events, at the env timeout');
});
