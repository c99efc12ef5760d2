import t from 'tap';
import { reply } from '../support/model-server.js';
import { startOtlpReceiver } from '../support/otlp-receiver.js';
import { claudeSandbox } from '../../plugins/acp/test-helpers.js';
import { call, named, newTraceparent, startTracedServer, waitStatus } from './helpers.js';

const { model, work, acp } = await claudeSandbox(t);
const receiver = await startOtlpReceiver();
t.teardown(() => receiver.close());

t.test('a claude-acp session is traced: its spawn and every JSON-RPC request sit under session.create in the caller\'s trace', async (t) => {
  const server = await startTracedServer({
    plugins: { tracing: { batchDelayMs: 100 }, sessions: { killGraceMs: 2000 }, acp },
    env: { AEGIS_OTEL_ENABLED: 'true', AEGIS_OTEL_OTLP_ENDPOINT: receiver.url },
  });
  t.teardown(() => server.stop());
  model.script([reply.text('Hello over ACP')]);
  const tp = newTraceparent();
  const created = await call(server, 'POST', '/v1/sessions', { agent: 'claude-acp', workDir: work, prompt: 'say hello', permissionMode: 'acceptEdits' }, { traceparent: tp.header });
  t.equal(created.status, 201, JSON.stringify(created.json));
  const id = created.json.id as string;
  await waitStatus(server, id, 'idle');
  t.equal((await call(server, 'DELETE', `/v1/sessions/${id}?wait=true`)).status, 200);
  t.equal((await server.stop()).code, 0);

  const spans = receiver.spans.filter((s) => s.traceId === tp.traceId);
  const server1 = spans.find((s) => s.kind === 'SERVER' && s.name === 'POST /v1/sessions');
  t.equal(server1?.parentSpanId, tp.parentId, 'the server span continues the caller\'s trace');
  const create = named(spans, 'session.create')[0];
  t.equal(create?.parentSpanId, server1?.spanId, 'session.create is its child');
  const attrs = { 'aegis.session.id': id, 'aegis.agent': 'claude-acp', 'aegis.permission_mode': 'acceptEdits' };
  t.match(create?.attributes, attrs);
  const spawn = named(spans, 'acp.child_process.spawn')[0];
  t.match(spawn, { kind: 'INTERNAL', parentSpanId: create?.spanId, status: { code: 0 }, attributes: { ...attrs, 'process.pid': Number } }, 'the agent\'s spawn is a child of session.create');
  const requests = named(spans, 'acp.json_rpc.request');
  const methods = requests.map((r) => r.attributes['rpc.method']);
  t.ok(methods.includes('initialize') && methods.includes('session/new'), `the handshake requests are traced (${methods.join(', ')})`);
  for (const r of requests.filter((x) => x.attributes['rpc.method'] === 'initialize' || x.attributes['rpc.method'] === 'session/new')) {
    t.match(r, { kind: 'INTERNAL', parentSpanId: create?.spanId, attributes: { ...attrs, 'rpc.system': 'jsonrpc' } }, `${r.attributes['rpc.method']} under session.create`);
  }
  const prompt = requests.find((r) => r.attributes['rpc.method'] === 'session/prompt');
  t.ok(prompt, 'the prompt request is traced in the same trace');
  t.match(prompt?.attributes, attrs);
  const kill = receiver.spans.find((s) => s.name === 'session.kill' && s.attributes['aegis.session.id'] === id);
  const killServer = receiver.spans.find((s) => s.spanId === kill?.parentSpanId);
  t.match(killServer, { kind: 'SERVER', name: 'DELETE /v1/sessions/:id' }, 'session.kill is a child of the kill request');
});
