import t from 'tap';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { reply } from '../support/model-server.js';
import { startOtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.js';
import { parseExposition, sampleSum, sampleValue } from '../support/prom-text.js';
import { makeWorld, turn } from '../claude-code/world.js';
import { call, named, newTraceparent, startTracedServer, waitStatus } from './helpers.js';

const world = await makeWorld(t, 1);
const receiver = await startOtlpReceiver();
t.teardown(() => receiver.close());

const writeCommand = (file: string) => `node -e "require('fs').writeFileSync('${file}','x')"`;

t.test('a scripted Claude Code session is traced end to end: create, requests, an approval and a kill, under the caller\'s trace', async (t) => {
  const server = await startTracedServer({
    plugins: { tracing: { batchDelayMs: 100 }, metrics: {}, sessions: { killGraceMs: 2000 }, 'claude-code': { env: world.env } },
    env: { AEGIS_OTEL_ENABLED: 'true', AEGIS_OTEL_OTLP_ENDPOINT: receiver.url },
  });
  t.teardown(() => server.stop());
  const work = world.trusted[0]!;
  const first = 'traced: write ran.txt';
  world.conversations.script(first, [reply.bash(writeCommand('ran.txt'), 'Write ran.txt'), reply.text('wrote it'), reply.text('you are welcome')]);

  const tp = newTraceparent();
  const created = await call(server, 'POST', '/v1/sessions', { workDir: work, prompt: first }, { traceparent: tp.header });
  t.equal(created.status, 201);
  const id = created.json.id as string;
  await waitStatus(server, id, 'permission_prompt');
  const approved = await call(server, 'POST', `/v1/sessions/${id}/approve`, {});
  t.equal(approved.status, 200);
  await turn(world, first, 2);
  await waitStatus(server, id, 'idle');
  t.ok(existsSync(join(work, 'ran.txt')), 'the approved command ran');
  const sent = await call(server, 'POST', `/v1/sessions/${id}/send`, { text: 'thanks' });
  t.equal(sent.status, 200);
  await turn(world, first, 3);
  await waitStatus(server, id, 'idle');
  t.equal((await call(server, 'GET', `/v1/sessions/${id}/transcript`)).status, 200);

  const exposition = await call(server, 'GET', '/metrics');
  t.equal(exposition.status, 200);
  const m = parseExposition(exposition.text);
  t.equal(sampleValue(m, 'aegis_sessions_created_total', { agent: 'claude-code' }), 1, 'the create is counted');
  t.equal(sampleValue(m, 'aegis_sessions', { agent: 'claude-code', state: 'idle' }), 1, 'the live session shows as idle');
  t.ok(sampleSum(m, 'aegis_session_state_transitions_total', { to: 'permission_prompt' }) >= 1, 'the prompt shows in the transitions');
  t.equal(sampleValue(m, 'aegis_permission_wait_seconds_count', { agent: 'claude-code', decision: 'approved' }), 1, 'the wait until the approval is observed once');
  t.equal(sampleValue(m, 'aegis_message_delivery_seconds_count', { agent: 'claude-code', delivered: 'true' }), 1, 'the sent message\'s delivery time is observed');
  t.equal(sampleValue(m, 'aegis_http_request_duration_seconds_count', { method: 'POST', route: '/v1/sessions', status_code: '201' }), 1);
  t.equal(sampleValue(m, 'aegis_agent_processes', { agent: 'claude-code' }), 1, 'one agent process runs');
  t.ok(sampleValue(m, 'aegis_agent_resident_memory_bytes', { agent: 'claude-code' })! > 10_000_000, 'its resident memory is read');

  const killed = await call(server, 'DELETE', `/v1/sessions/${id}?wait=true`);
  t.equal(killed.status, 200);
  t.equal((await server.stop()).code, 0, 'the server stops cleanly, exporting its last spans');

  const spans = receiver.spans;
  const server1 = spans.find((s) => s.traceId === tp.traceId && s.kind === 'SERVER');
  t.ok(server1, 'the create request\'s server span arrived');
  if (!server1) return;
  t.match(server1, { name: 'POST /v1/sessions', parentSpanId: tp.parentId, attributes: { 'http.response.status_code': 201 } }, 'its parent is the caller\'s span');
  const create = named(spans, 'session.create').find((s) => s.parentSpanId === server1.spanId);
  t.ok(create, 'session.create is a child of the server span');
  t.match(create, {
    kind: 'INTERNAL', traceId: tp.traceId, status: { code: 0 },
    attributes: { 'aegis.session.id': id, 'aegis.agent': 'claude-code', 'aegis.permission_mode': 'default', 'aegis.session.reused': false },
  });
  const pty = named(spans, 'pty.spawn').find((s) => s.parentSpanId === create?.spanId);
  t.ok(pty, 'pty.spawn is a child of session.create');
  t.match(pty?.attributes, { 'aegis.session.id': id, 'aegis.agent': 'claude-code', 'process.pid': Number });
  const byRoute = (name: string) => spans.filter((s) => s.kind === 'SERVER' && s.name === name && s.attributes['aegis.session.id'] === id);
  t.match(byRoute('POST /v1/sessions/:id/approve'), [{
    attributes: { 'http.response.status_code': 200, 'http.route': '/v1/sessions/:id/approve', 'aegis.agent': 'claude-code', 'aegis.permission_mode': 'default' },
  }], 'the approval has its server span, naming the session\'s agent and permission mode');
  t.equal(byRoute('POST /v1/sessions/:id/send').length, 1);
  t.ok(byRoute('GET /v1/sessions/:id').length >= 2, 'every status request too');
  const killServer = byRoute('DELETE /v1/sessions/:id')[0];
  t.ok(killServer, 'the kill request has its server span');
  const kill = named(spans, 'session.kill').find((s) => s.parentSpanId === killServer?.spanId);
  t.ok(kill, 'session.kill is its child');
  t.match(kill?.attributes, { 'aegis.session.id': id, 'aegis.agent': 'claude-code', 'aegis.permission_mode': 'default' });
  t.ok(spans.every((s: ReceivedSpan) => s.resource['service.name'] === 'aegis'), 'the default service name');

  const inTrace = server.logs.filter((l) => l.traceId === tp.traceId);
  t.ok(inTrace.some((l) => l.reqId === created.requestId && l.msg === 'request completed' && l.spanId === server1.spanId), 'the create request\'s log line has its trace and span');
  t.ok(inTrace.some((l) => l.reqId === undefined && l.sessionId === id), 'the session\'s own log lines written during the create carry the trace id too');
});
