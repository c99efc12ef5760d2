import t from 'tap';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { startOtlpReceiver } from '../support/otlp-receiver.js';
import { call, newTraceparent, probeReport, PROBE, startTracedServer } from './helpers.js';

const receiver = await startOtlpReceiver();
t.teardown(() => receiver.close());

// An OpenTelemetry package other than the small API (which prom-client, say, may load).
const SDK_MODULE = /node_modules\/@opentelemetry\/(?!api\/)/;
const FASTIFY = /node_modules\/fastify\/fastify\.js$/;

t.test('with tracing off nothing is exported and no OpenTelemetry SDK module is loaded', async (t) => {
  const server = await startTracedServer({
    plugins: {}, nodeArgs: ['--import', PROBE], env: { AEGIS_OTEL_OTLP_ENDPOINT: receiver.url },
  });
  const tp = newTraceparent();
  t.equal((await call(server, 'GET', '/v1/sessions', undefined, { traceparent: tp.header })).status, 200);
  t.equal((await call(server, 'GET', '/v1/health')).status, 200);
  const exit = await server.stop();
  t.equal(exit.code, 0);
  const { esm, cjs } = probeReport(server);
  t.ok(esm.some((u) => FASTIFY.test(u)), 'the probe saw the server load fastify, so it sees what loads');
  t.same([...esm, ...cjs].filter((u) => SDK_MODULE.test(u)), [], 'no SDK, exporter or instrumentation module');
  t.equal(receiver.requests.length, 0, 'nothing reached the OTLP receiver');
  const logs = server.logs.filter((l) => l.msg === 'request completed');
  t.ok(logs.length >= 2);
  t.notOk(logs.some((l) => 'traceId' in l), 'log records carry no trace ids');
});

t.test('with AEGIS_OTEL_ENABLED the preload starts the SDK before fastify loads and exports the server spans', async (t) => {
  const server = await startTracedServer({
    plugins: { tracing: { batchDelayMs: 50 } }, nodeArgs: ['--import', PROBE],
    env: { AEGIS_OTEL_ENABLED: 'true', AEGIS_OTEL_OTLP_ENDPOINT: receiver.url, AEGIS_OTEL_SERVICE_NAME: 'aegis-preload-test' },
  });
  const tp = newTraceparent();
  const listed = await call(server, 'GET', '/v1/sessions?limit=5', undefined, { traceparent: tp.header });
  t.equal(listed.status, 200);
  const missing = await call(server, 'GET', '/v1/sessions/not-a-session', undefined, { traceparent: newTraceparent().header });
  t.equal(missing.status, 404);
  const bad = await call(server, 'POST', '/v1/sessions', { workDir: 'relative/dir', permissionMode: 'plan' });
  t.equal(bad.json.code, 'AEGIS_ERR_SESSION_WORKDIR_RELATIVE');
  await server.stop();
  const { esm } = probeReport(server);
  const sdkAt = esm.findIndex((u) => /@opentelemetry\/sdk-node\//.test(u));
  const fastifyAt = esm.findIndex((u) => FASTIFY.test(u));
  t.ok(sdkAt >= 0, 'the SDK was loaded');
  t.ok(fastifyAt > sdkAt, 'before fastify');

  const server1 = await receiver.waitForSpan((s) => s.traceId === tp.traceId && s.kind === 'SERVER');
  t.equal(server1.name, 'GET /v1/sessions', 'named <METHOD> <route template>');
  t.equal(server1.parentSpanId, tp.parentId, 'the caller\'s traceparent is the parent');
  t.match(server1.attributes, { 'http.request.method': 'GET', 'http.route': '/v1/sessions', 'http.response.status_code': 200, 'aegis.request.id': listed.requestId });
  t.equal(server1.resource['service.name'], 'aegis-preload-test', 'AEGIS_OTEL_SERVICE_NAME names the service');
  const notFound = receiver.spans.find((s) => s.name === 'GET /v1/sessions/:id' && s.attributes['aegis.request.id'] === missing.requestId);
  t.ok(notFound, 'the 404 of a matched route has its span');
  t.match(notFound?.attributes, { 'http.response.status_code': 404, 'aegis.session.id': 'not-a-session', 'aegis.error.code': 'AEGIS_ERR_SESSION_NOT_FOUND' });
  t.equal(notFound?.status.code, 0, 'a 4xx leaves the server span unset, not failed');

  const badServer = receiver.spans.find((s) => s.kind === 'SERVER' && s.attributes['aegis.request.id'] === bad.requestId);
  const failed = receiver.spans.find((s) => s.name === 'session.create' && s.parentSpanId === badServer?.spanId);
  t.match(failed, { kind: 'INTERNAL', status: { code: 2 }, attributes: { 'aegis.error.code': 'AEGIS_ERR_SESSION_WORKDIR_RELATIVE', 'aegis.agent': 'claude-code', 'aegis.permission_mode': 'plan' } },
    'a failed create sets its span\'s status to error with the code');
  t.ok(failed?.events.some((e) => e.name === 'exception'), 'and records the exception');

  const lines = server.logs.filter((l) => l.reqId === listed.requestId);
  t.same(lines.map((l) => l.msg), ['request completed'], 'the request\'s one log line');
  for (const line of lines) {
    t.equal(line.traceId, tp.traceId, `"${line.msg}" carries the request's trace id`);
    t.equal(line.spanId, server1.spanId, 'and its server span id');
  }
});

t.test('a sample rate of 0 records no new trace but follows a caller\'s sampled traceparent', async (t) => {
  const server = await startTracedServer({
    plugins: { tracing: { batchDelayMs: 50 } },
    env: { AEGIS_OTEL_ENABLED: 'true', AEGIS_OTEL_OTLP_ENDPOINT: receiver.url, AEGIS_OTEL_SAMPLE_RATE: '0' },
  });
  const own = await call(server, 'GET', '/v1/sessions?limit=1');
  const tp = newTraceparent();
  const followed = await call(server, 'GET', '/v1/sessions?limit=2', undefined, { traceparent: tp.header });
  await server.stop();
  t.ok(receiver.spans.some((s) => s.traceId === tp.traceId && s.attributes['aegis.request.id'] === followed.requestId), 'the caller\'s trace is followed');
  t.notOk(receiver.spans.some((s) => s.attributes['aegis.request.id'] === own.requestId), 'a trace of our own is not sampled');
  const ownLine = server.logs.find((l) => l.reqId === own.requestId && l.msg === 'request completed');
  t.notOk(ownLine && 'traceId' in ownLine, 'its log line carries no trace id');
});

t.test('node dist/server.js without --import loads the preload itself: spans and trace ids as with the flag', async (t) => {
  const server = await startTracedServer({
    plugins: { tracing: { batchDelayMs: 50 } }, preload: false, nodeArgs: ['--import', PROBE],
    env: { AEGIS_OTEL_ENABLED: 'true', AEGIS_OTEL_OTLP_ENDPOINT: receiver.url },
  });
  const tp = newTraceparent();
  const res = await call(server, 'GET', '/v1/sessions?limit=3', undefined, { traceparent: tp.header });
  await server.stop();
  const { esm } = probeReport(server);
  const sdkAt = esm.findIndex((u) => /@opentelemetry\/sdk-node\//.test(u));
  t.ok(sdkAt >= 0 && sdkAt < esm.findIndex((u) => FASTIFY.test(u)), 'the SDK still loads before fastify');
  const span = await receiver.waitForSpan((s) => s.traceId === tp.traceId);
  t.match(span, { kind: 'SERVER', name: 'GET /v1/sessions', parentSpanId: tp.parentId });
  t.ok(server.logs.some((l) => l.reqId === res.requestId && l.traceId === tp.traceId), 'its log lines carry the trace id');
  t.notOk(server.logs.some((l) => /without the preload/.test(String(l.msg))), 'no warning about a missing preload');
});

t.test('a collector that is down is logged as a warning and does not hold up the shutdown', async (t) => {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const closedPort = (probe.address() as { port: number }).port;
  await new Promise((r) => probe.close(r));
  const server = await startTracedServer({
    plugins: { tracing: { batchDelayMs: 50 } },
    env: { AEGIS_OTEL_ENABLED: 'true', AEGIS_OTEL_OTLP_ENDPOINT: `http://127.0.0.1:${closedPort}` },
  });
  t.equal((await call(server, 'GET', '/v1/sessions')).status, 200, 'requests are served');
  const warned = await server.waitForLog((l) => l.component === 'opentelemetry' && /ECONNREFUSED/.test(String(l.msg)));
  t.equal(warned.level, 40, 'a warning');
  t.equal((await server.stop()).code, 0, 'the server still shuts down cleanly');
});
