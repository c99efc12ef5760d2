import t from 'tap';
import { trace } from '@opentelemetry/api';
import { annotateSpan, inSpan, spanEvent, startSpan, traceHeaders, withSpan, withSpanSync } from './trace.js';

// No SDK is registered in this process: the helpers must be harmless no-ops, as with tracing off.
t.test('with no SDK registered the helpers run the work and trace nothing', async (t) => {
  t.equal(await withSpan('x', { a: 1 }, async (span) => { annotateSpan({ b: 2 }); spanEvent('e'); return span.isRecording(); }), false, 'the span does not record');
  t.equal(withSpanSync('y', {}, () => 42), 42);
  await t.rejects(withSpan('z', {}, async () => { throw Object.assign(new Error('boom'), { code: 'AEGIS_ERR_X' }); }), { code: 'AEGIS_ERR_X' }, 'errors pass through');
  t.same(traceHeaders({ accept: 'x' }), { accept: 'x' }, 'no traceparent is invented');
  const span = startSpan('w', {});
  t.equal(inSpan(span, () => trace.getActiveSpan()), undefined, 'and nothing becomes active: there is no context manager');
  span.end();
});
