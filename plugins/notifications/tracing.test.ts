import t from 'tap';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { channelApp, exited, next } from '../../test/support/channels.js';
import { startReceiver } from '../../test/support/receiver.js';

// A real SDK in this process, as the tracing plugin would register, with spans kept in memory.
const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
trace.setGlobalTracerProvider(provider);
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
propagation.setGlobalPropagator(new W3CTraceContextPropagator());

t.test('a webhook delivery is a channel span under what caused it, retries are its events, and the call carries its traceparent', async (t) => {
  const rx = await startReceiver();
  t.teardown(() => rx.close());
  rx.answer((_req, n) => (n === 1 ? { status: 500 } : { status: 200 }));
  const app = await channelApp(t, { 'notify-webhook': { endpoints: [{ url: rx.url + '/hook', secret: 'a-webhook-secret-123', events: ['session.exited'] }], allowPrivate: true } });
  const cause = trace.getTracer('test').startSpan('cause');
  const delivered = next(app, 'notification.delivered', (p) => p.sessionId === 's-traced');
  context.with(trace.setSpan(context.active(), cause), () => app.events.emit('session.exited', exited('s-traced')));
  await delivered;
  cause.end();
  const [first, second] = rx.requests;
  const tp = (r: typeof first) => String(r?.headers.traceparent ?? '');
  t.match(tp(first), new RegExp(`^00-${cause.spanContext().traceId}-[0-9a-f]{16}-01$`), 'the first attempt carries the cause\'s trace');
  t.equal(tp(second).split('-')[2], tp(first).split('-')[2], 'the retry carries the same delivery span');
  const span = exporter.getFinishedSpans().find((s) => s.name.startsWith('channel.webhook:') && s.name.endsWith('.session.exited'));
  t.ok(span, 'a channel.<name>.<event> span');
  t.equal(span?.parentSpanContext?.spanId, cause.spanContext().spanId, 'a child of the cause');
  t.equal(span?.spanContext().spanId, tp(first).split('-')[2], 'the traceparent names the delivery span');
  t.same(span?.events.map((e) => e.name), ['retry'], 'the failed first attempt is a retry event');
  t.match(span?.attributes, { 'aegis.delivery.attempts': 2, 'http.response.status_code': 200, 'aegis.session.id': 's-traced' });
  t.equal(span?.status.code, 0, 'delivered: not an error');
});

t.test('a dead-lettered delivery ends its span as an error', async (t) => {
  exporter.reset();
  const rx = await startReceiver();
  t.teardown(() => rx.close());
  rx.answer(() => ({ status: 400 }));
  const app = await channelApp(t, { 'notify-webhook': { endpoints: [{ url: rx.url + '/hook', secret: 'a-webhook-secret-123', events: ['session.exited'] }], allowPrivate: true } });
  const dead = next(app, 'notification.dead-lettered', (p) => p.sessionId === 's-dead');
  app.events.emit('session.exited', exited('s-dead'));
  await dead;
  const span = exporter.getFinishedSpans().find((s) => s.name.endsWith('.session.exited'));
  t.equal(span?.status.code, 2, 'ERROR');
  t.match(span?.attributes, { 'aegis.delivery.dead_lettered': 'permanent', 'http.response.status_code': 400 });
});
