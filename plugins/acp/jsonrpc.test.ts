import t from 'tap';
import { PassThrough } from 'node:stream';
import pino from 'pino';
import { JsonRpcPeer, RPC, RpcError } from './jsonrpc.js';
import { LineSplitter } from './lines.js';

/** A peer wired to two pipes: `agent.write` feeds it lines, `sent()` returns what it wrote. */
function wire(maxLineBytes = 1024) {
  const toPeer = new PassThrough();
  const fromPeer = new PassThrough();
  const out: string[] = [];
  let waiting: (() => void) | undefined;
  fromPeer.on('data', (d: Buffer) => {
    out.push(...d.toString().split('\n').filter(Boolean));
    waiting?.();
  });
  const peer = new JsonRpcPeer(toPeer, fromPeer, pino({ level: 'silent' }), maxLineBytes);
  let read = 0;
  const nextSent = async () => {
    while (out.length <= read) await new Promise<void>((r) => { waiting = r; });
    return JSON.parse(out[read++]!);
  };
  return { peer, agent: (line: string) => toPeer.write(line + '\n'), out, nextSent, end: () => toPeer.end() };
}

t.test('a request resolves with the answer that carries its id', async (t) => {
  const w = wire();
  const answer = w.peer.request<{ ok: boolean }>('initialize', { v: 1 }, 1000);
  const sent = await w.nextSent();
  t.match(sent, { jsonrpc: '2.0', method: 'initialize', params: { v: 1 } });
  w.agent(JSON.stringify({ jsonrpc: '2.0', id: sent.id, result: { ok: true } }));
  t.same(await answer, { ok: true });
});

t.test('a request the agent never answers fails with ACP_REQUEST_TIMEOUT and its late answer is ignored', async (t) => {
  const w = wire();
  const answer = w.peer.request('session/new', {}, 30);
  await t.rejects(answer, { code: 'AEGIS_ERR_ACP_REQUEST_TIMEOUT', statusCode: 504 });
  const sent = await w.nextSent();
  w.agent(JSON.stringify({ jsonrpc: '2.0', id: sent.id, result: {} }));
  const again = w.peer.request('ping', {}, 1000);
  const second = await w.nextSent();
  w.agent(JSON.stringify({ jsonrpc: '2.0', id: second.id, result: 'pong' }));
  t.equal(await again, 'pong');
  t.same(w.peer.stats, { malformed: 0, unmatched: 1, timeouts: 1 });
});

t.test('an error answer fails the request with ACP_AGENT_ERROR and the agent error in details', async (t) => {
  const w = wire();
  const answer = w.peer.request('session/prompt', {}, 1000);
  const sent = await w.nextSent();
  w.agent(JSON.stringify({ jsonrpc: '2.0', id: sent.id, error: { code: -32603, message: 'boom', data: { x: 1 } } }));
  await t.rejects(answer, { code: 'AEGIS_ERR_ACP_AGENT_ERROR', details: { rpcCode: -32603, rpcMessage: 'boom', rpcData: { x: 1 } } });
});

t.test('closing fails every waiting request with ACP_AGENT_EXITED and the reason, and refuses new ones', async (t) => {
  const w = wire();
  const a = w.peer.request('a', {}, 10000);
  const b = w.peer.request('b', {}, 10000);
  w.peer.close('agent exited with code 3');
  await t.rejects(a, { code: 'AEGIS_ERR_ACP_AGENT_EXITED', message: /code 3/ });
  await t.rejects(b, { code: 'AEGIS_ERR_ACP_AGENT_EXITED' });
  await t.rejects(w.peer.request('c', {}, 10000), { code: 'AEGIS_ERR_ACP_AGENT_EXITED' });
});

t.test('malformed lines are counted and never answered, and the peer keeps working', async (t) => {
  const w = wire(64);
  const seen: unknown[] = [];
  w.peer.onNotification('session/update', (p) => seen.push(p));
  for (const junk of ['hello', '[1,2]', '{"jsonrpc":"1.0","method":"x"}', '{"jsonrpc":"2.0"}', '{"torn": ', 'x'.repeat(100)]) w.agent(junk);
  w.agent(JSON.stringify({ jsonrpc: '2.0', method: 'session/update', params: { n: 1 } }));
  const answer = w.peer.request('ping', {}, 1000);
  const sent = await w.nextSent();
  w.agent(JSON.stringify({ jsonrpc: '2.0', id: sent.id, result: 1 }));
  t.equal(await answer, 1);
  t.same(seen, [{ n: 1 }]);
  t.equal(w.peer.stats.malformed, 6);
  t.equal(w.out.length, 1, 'only our own request was written');
});

t.test('agent requests are answered by their handler, an RpcError becomes a JSON-RPC error, unknown methods get -32601', async (t) => {
  const w = wire();
  w.peer.onRequest('fs/read_text_file', async (p) => ({ content: `read ${(p as { path: string }).path}` }));
  w.peer.onRequest('fs/write_text_file', () => { throw new RpcError(RPC.invalidParams, 'outside', { code: 'AEGIS_ERR_ACP_PATH_OUTSIDE_WORKDIR' }); });
  w.agent(JSON.stringify({ jsonrpc: '2.0', id: 'r1', method: 'fs/read_text_file', params: { path: '/a' } }));
  t.same(await w.nextSent(), { jsonrpc: '2.0', id: 'r1', result: { content: 'read /a' } });
  w.agent(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'fs/write_text_file', params: {} }));
  t.same(await w.nextSent(), { jsonrpc: '2.0', id: 2, error: { code: -32602, message: 'outside', data: { code: 'AEGIS_ERR_ACP_PATH_OUTSIDE_WORKDIR' } } });
  w.agent(JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'elicitation/create', params: {} }));
  t.match(await w.nextSent(), { id: 3, error: { code: -32601 } });
});

t.test('the line splitter joins chunks, drops over-long lines whole and keeps a last line without newline', async (t) => {
  const lines: string[] = [];
  const over: number[] = [];
  const s = new LineSplitter(8, (l) => lines.push(l), (n) => over.push(n));
  s.push(Buffer.from('ab'));
  s.push(Buffer.from('c\r\n0123456789'));
  s.push(Buffer.from('abc\nok\nlast'));
  s.end();
  t.same(lines, ['abc', 'ok', 'last']);
  t.same(over, [13]);
});
