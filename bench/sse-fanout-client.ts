/**
 * The client half of bench/sse-fanout: opens N event streams to the server, parses every frame,
 * and reports, per stream, the causes of the state changes it saw in order and when each arrived.
 * Forked by sse-fanout.ts; talks to it over IPC.
 */
import { request } from 'node:http';
import { performance } from 'node:perf_hooks';

const [base, token, nArg] = process.argv.slice(2);
const N = Number(nArg);
const nowMs = () => performance.timeOrigin + performance.now();

interface StreamLog { causes: string[]; at: number[]; ids: number[] }
const logs: StreamLog[] = [];
let open = 0;

function connect(i: number): void {
  const log: StreamLog = { causes: [], at: [], ids: [] };
  logs[i] = log;
  const req = request(`${base}/v1/events`, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, agent: false }, (res) => {
    if (res.statusCode !== 200) { process.send!({ type: 'error', status: res.statusCode }); return; }
    res.setEncoding('utf8');
    let buf = '';
    res.on('data', (chunk: string) => {
      const t = nowMs();
      buf += chunk;
      for (let at = buf.indexOf('\n\n'); at >= 0; at = buf.indexOf('\n\n')) {
        const block = buf.slice(0, at);
        buf = buf.slice(at + 2);
        if (!block.includes('event: session.state-changed')) continue;
        // Only what the figures need, cheaply: the client shares the machine with the server.
        const id = /^id: (\d+)/.exec(block);
        const cause = /"cause":"([^"]*)"/.exec(block);
        if (!id || !cause) continue;
        log.ids.push(Number(id[1]));
        log.causes.push(cause[1]!);
        log.at.push(t);
      }
    });
    if (++open === N) process.send!({ type: 'open' });
  });
  req.on('error', (err) => process.send!({ type: 'error', message: err.message }));
  req.end();
}

process.on('message', (m: { type: string }) => {
  if (m.type === 'report') {
    process.send!({ type: 'report', logs }, () => process.exit(0));
  }
});
for (let i = 0; i < N; i++) connect(i);
