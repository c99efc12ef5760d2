import t from 'tap';
import { once } from 'node:events';
import WebSocket from 'ws';
import { catalogue } from '../index.js';
import { cleanup, sessionsApp as makeApp, TEST_TOKEN as TOKEN, type SessionsTestApp as TestApp } from '../../test/support/app.js';
import { nextEvent, waitState } from '../../test/support/wait.js';

let h: TestApp;
let base: string;
t.before(async () => {
  h = await makeApp({ extra: { terminal: catalogue.terminal }, plugins: { terminal: { authTimeoutMs: 500, maxBufferedBytes: 262144 } } });
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  const addr = h.app.server.address() as { port: number };
  base = `ws://127.0.0.1:${addr.port}`;
});
t.teardown(async () => {
  await h.app.close();
  await cleanup(h.stateDir, h.work);
});

/** A client that keeps every frame: JSON control frames parsed, binary output as text. */
function connect(path: string) {
  const ws = new WebSocket(`${base}${path}`);
  const frames: Array<Record<string, any>> = [];
  let output = '';
  const waiters = new Set<() => void>();
  ws.on('message', (data, binary) => {
    if (binary) output += data.toString();
    else frames.push(JSON.parse(data.toString()));
    for (const w of [...waiters]) w();
  });
  const closed = once(ws, 'close').then(([code, reason]) => ({ code: code as number, reason: String(reason) }));
  /** Resolves once `check` holds, re-checked on every frame; rejects after `ms`. */
  const until = (check: () => boolean, what: string, ms = 5000) => new Promise<void>((resolve, reject) => {
    if (check()) return resolve();
    const timer = setTimeout(() => { waiters.delete(w); reject(new Error(`${what} not seen; output: ${output.slice(-300)}`)); }, ms);
    const w = () => { if (check()) { clearTimeout(timer); waiters.delete(w); resolve(); } };
    waiters.add(w);
  });
  return { ws, frames, get output() { return output; }, closed, until, opened: once(ws, 'open') };
}

async function viewerKey(): Promise<string> {
  const res = await h.inject('POST', '/v1/auth/keys', { name: 'watcher', role: 'viewer' });
  return res.json.key as string;
}

async function echoSession(): Promise<string> {
  const res = await h.inject('POST', '/v1/sessions', { workDir: h.work, agent: 'command', reuse: false });
  await waitState(h.app, res.json.id, 'idle');
  return res.json.id as string;
}

t.test('an operator authenticates with the first frame, gets the screen, then types into the agent and sees its output', async (t) => {
  const id = await echoSession();
  const c = connect(`/v1/sessions/${id}/terminal`);
  await c.opened;
  c.ws.send(JSON.stringify({ type: 'auth', token: TOKEN }));
  await c.until(() => c.frames.some((f) => f.type === 'screen'), 'screen');
  t.match(c.frames[0], { type: 'ready', sessionId: id, readOnly: false, role: 'admin' });
  t.match(c.frames[1].data, /ready/, 'the current screen is drawn first');
  c.ws.send(JSON.stringify({ type: 'input', data: 'hello ws\r' }));
  await c.until(() => c.output.includes('got:hello ws'), 'echo');
  t.pass('raw output arrives as binary frames');
  c.ws.send(JSON.stringify({ type: 'resize', cols: 100, rows: 30 }));
  // Frames are handled in order: once the next line echoes, the resize has been applied.
  c.ws.send(JSON.stringify({ type: 'input', data: 'after resize\r' }));
  await c.until(() => c.output.includes('got:after resize'), 'echo after resize');
  t.match(h.app.sessions.pane(id), { cols: 100, rows: 30 }, 'resize reaches the PTY');
  c.ws.close();
});

t.test('a viewer watches live but its input and resize are refused and never reach the agent', async (t) => {
  const id = await echoSession();
  const key = await viewerKey();
  const viewer = connect(`/v1/sessions/${id}/terminal`);
  await viewer.opened;
  viewer.ws.send(JSON.stringify({ type: 'auth', token: key }));
  await viewer.until(() => viewer.frames.some((f) => f.type === 'screen'), 'screen');
  t.match(viewer.frames[0], { type: 'ready', readOnly: true, role: 'viewer' });
  viewer.ws.send(JSON.stringify({ type: 'input', data: 'from viewer\r' }));
  viewer.ws.send(JSON.stringify({ type: 'resize', cols: 90, rows: 20 }));
  await viewer.until(() => viewer.frames.filter((f) => f.type === 'error').length === 2, 'two refusals');
  t.same(viewer.frames.filter((f) => f.type === 'error').map((f) => f.code), ['AEGIS_ERR_TERMINAL_READ_ONLY', 'AEGIS_ERR_TERMINAL_READ_ONLY']);
  // The operator's line goes through; the viewer watching sees it, and the viewer's line never ran.
  await h.inject('POST', `/v1/sessions/${id}/send`, { text: 'from operator' });
  await viewer.until(() => viewer.output.includes('got:from operator'), 'operator echo');
  t.notMatch(h.app.sessions.pane(id).lines.join('\n'), /got:from viewer/);
  t.equal(h.app.sessions.pane(id).cols, 120, 'the size is unchanged');
  viewer.ws.close();
});

t.test('a socket that sends no auth frame in time is closed 4401 and the failure is an auth event', async (t) => {
  const id = await echoSession();
  const failed = nextEvent(h.app, 'auth.failed', (p) => p.url.endsWith('/terminal'), 10000);
  const c = connect(`/v1/sessions/${id}/terminal`);
  const { code, reason } = await c.closed;
  t.equal(code, 4401);
  t.equal(reason, 'AEGIS_ERR_TERMINAL_UNAUTHENTICATED');
  t.match(await failed, { code: 'AEGIS_ERR_TERMINAL_UNAUTHENTICATED', reason: 'timeout' });
  t.notOk(c.frames.some((f) => f.type === 'screen'), 'nothing of the session was sent');
});

t.test('an API token in the URL is refused: only stream tokens may go there', async (t) => {
  const id = await echoSession();
  const c = connect(`/v1/sessions/${id}/terminal?token=${TOKEN}`);
  const { code } = await c.closed;
  t.equal(code, 4401);
  t.notOk(c.frames.some((f) => f.type === 'screen'));
});

t.test('a stream token in the query opens the terminal at once; the same token is refused on nothing else', async (t) => {
  const id = await echoSession();
  const issued = await h.inject('POST', '/v1/auth/stream-token', {}, { authorization: `Bearer ${await viewerKey()}` });
  t.equal(issued.status, 200);
  const token = issued.json.token as string;
  const c = connect(`/v1/sessions/${id}/terminal?token=${encodeURIComponent(token)}`);
  await c.until(() => c.frames.some((f) => f.type === 'screen'), 'screen');
  t.match(c.frames[0], { type: 'ready', readOnly: true, role: 'viewer' }, 'the token carries its key\'s role');
  c.ws.close();
  const rest = await h.inject('GET', `/v1/sessions/${id}`, undefined, { authorization: `Bearer ${token}` });
  t.equal(rest.status, 401, 'a stream token is no API token');
});

t.test('a bad token, a first frame that is not auth, and an unknown session each close with their code', async (t) => {
  const id = await echoSession();
  const bad = connect(`/v1/sessions/${id}/terminal`);
  await bad.opened;
  bad.ws.send(JSON.stringify({ type: 'auth', token: 'not-a-token' }));
  t.equal((await bad.closed).code, 4401);

  const early = connect(`/v1/sessions/${id}/terminal`);
  await early.opened;
  early.ws.send(JSON.stringify({ type: 'input', data: 'x' }));
  t.equal((await early.closed).code, 4401);

  const junk = connect(`/v1/sessions/${id}/terminal`);
  await junk.opened;
  junk.ws.send('{not json');
  const j = await junk.closed;
  t.equal(j.code, 4400);
  t.equal(j.reason, 'AEGIS_ERR_TERMINAL_BAD_FRAME');

  const missing = connect('/v1/sessions/00000000-0000-0000-0000-000000000000/terminal');
  await missing.opened;
  missing.ws.send(JSON.stringify({ type: 'auth', token: TOKEN }));
  const m = await missing.closed;
  t.equal(m.code, 4404);
  t.equal(m.reason, 'AEGIS_ERR_SESSION_NOT_FOUND');
});

t.test('a client that stops reading is cut off instead of buffered without bound', async (t) => {
  const res = await h.inject('POST', '/v1/sessions', {
    workDir: h.work, agent: 'command', reuse: false,
    // Waits for a line, then floods: the client is subscribed and paused before the flood starts.
    agentOptions: { command: 'bash', args: ['-c', 'read go; head -c 48000000 /dev/zero | tr "\\0" "x"; read end'] },
  });
  const id = res.json.id as string;
  const c = connect(`/v1/sessions/${id}/terminal`);
  await c.opened;
  c.ws.send(JSON.stringify({ type: 'auth', token: TOKEN }));
  await c.until(() => c.frames.some((f) => f.type === 'screen'), 'screen');
  (c.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
  h.app.sessions.write(id, 'go\r');
  // The flood ends with the program waiting again: idle after the quiet period.
  await waitState(h.app, id, 'working', 10000);
  await waitState(h.app, id, 'idle', 60000);
  (c.ws as unknown as { _socket: { resume(): void } })._socket.resume();
  // Loopback kernel buffers can take up to about 36 MB here (a paused reader's receive buffer
  // autotunes up to tcp_rmem's 32 MB, plus a 4 MB send buffer) before the server's own queue
  // grows; the flood is past that, so the cut must have happened. Bounded, so a miss fails instead of hanging.
  let timer: NodeJS.Timeout | undefined;
  const { code, reason } = await Promise.race([c.closed, new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not cut off; got ${c.output.length} bytes`)), 30000);
  })]).finally(() => clearTimeout(timer));
  t.equal(code, 1008);
  t.equal(reason, 'AEGIS_ERR_TERMINAL_SLOW_CLIENT');
  t.ok(c.output.length < 48_000_000, `the client got ${c.output.length} bytes, not the whole flood`);
  await h.inject('DELETE', `/v1/sessions/${id}`);
});

t.test('an address that keeps presenting bad tokens is refused at once until its window ends', async (t) => {
  const h2 = await makeApp({ extra: { terminal: catalogue.terminal }, plugins: { terminal: { failureLimit: 2, failureWindowMs: 60000 } } });
  t.teardown(async () => { await h2.app.close(); await cleanup(h2.stateDir, h2.work); });
  await h2.app.listen({ host: '127.0.0.1', port: 0 });
  const url = `ws://127.0.0.1:${(h2.app.server.address() as { port: number }).port}/v1/sessions/x/terminal`;
  const attempt = async (token: string) => {
    const ws = new WebSocket(url);
    const closed = once(ws, 'close').then(([code, reason]) => ({ code: code as number, reason: String(reason) }));
    await once(ws, 'open');
    ws.send(JSON.stringify({ type: 'auth', token }));
    return closed;
  };
  t.equal((await attempt('bad-1')).code, 4401);
  t.equal((await attempt('bad-2')).code, 4401);
  const refused = await attempt(TOKEN);
  t.equal(refused.code, 4429, 'even a good token is refused while the address is throttled');
  t.equal(refused.reason, 'AEGIS_ERR_TERMINAL_THROTTLED');
});

t.test('a plain HTTP GET of the terminal route answers 426 with a code', async (t) => {
  const res = await h.inject('GET', '/v1/sessions/x/terminal');
  t.equal(res.status, 426);
  t.equal(res.json.code, 'AEGIS_ERR_TERMINAL_UPGRADE_REQUIRED');
});
