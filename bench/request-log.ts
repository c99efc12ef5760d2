/**
 * How much the server logs per request at the default level (info): a real server, a burst of
 * mixed requests as an operator's tools send them (health probes, lists, reads of a missing
 * session, a refused create, a request without a token), then the log lines and bytes written
 * during the burst, per request. The target is one line per request; probes write none.
 *
 *   npm run bench -- request-log
 */
import { loadavg } from 'node:os';
import { TEST_TOKEN } from '../test/support/app.js';
import { startServer } from '../test/support/server-process.js';
import { figure } from './lib/report.js';

const ROUNDS = 200;
const server = await startServer({ env: { AEGIS_LOG_LEVEL: 'info', AEGIS_AUTH_TOKEN: TEST_TOKEN } });
const auth = { authorization: `Bearer ${TEST_TOKEN}` };
const mix: Array<{ probe: boolean; run: () => Promise<Response> }> = [
  { probe: true, run: () => fetch(`${server.url}/v1/health`) },
  { probe: true, run: () => fetch(`${server.url}/v1/health`) },
  { probe: false, run: () => fetch(`${server.url}/v1/sessions?limit=5`, { headers: auth }) },
  { probe: false, run: () => fetch(`${server.url}/v1/sessions/not-a-session`, { headers: auth }) },
  { probe: false, run: () => fetch(`${server.url}/v1/sessions`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{"workDir":"relative"}' }) },
  { probe: false, run: () => fetch(`${server.url}/v1/sessions`) },
];
try {
  const before = server.logs.length;
  let requests = 0;
  let probes = 0;
  for (let i = 0; i < ROUNDS; i++) {
    // Each round's requests at once, as concurrent clients send them.
    await Promise.all(mix.map(async (m) => { const res = await m.run(); await res.arrayBuffer(); requests++; if (m.probe) probes++; }));
  }
  // The last lines may still be in the pipe: wait for the last request's line, bounded.
  const deadline = Date.now() + 5000;
  while (server.logs.length - before < requests - probes && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const lines = server.logs.slice(before);
  const bytes = lines.reduce((n, l) => n + JSON.stringify(l).length + 1, 0);
  const access = lines.filter((l) => l.msg === 'request completed').length;
  const probeLines = lines.filter((l) => l.url === '/v1/health').length;
  // Lines a request wrote carry its id; a line without one (a boot-time check finishing, a
  // warning) is the server's own and is counted apart.
  const requestLines = lines.filter((l) => l.reqId !== undefined);
  const apiLines = requestLines.length - probeLines;
  const other = lines.length - requestLines.length;
  if (other) process.stdout.write(`not from a request: ${other} line(s): ${lines.filter((l) => l.reqId === undefined).map((l) => String(l.msg)).join(' | ')}\n`);
  process.stdout.write(`${requests} requests (${probes} health probes) at info: ${lines.length} log lines (${access} access lines), ${(bytes / 1024).toFixed(1)} KiB; load ${loadavg().map((x) => x.toFixed(1)).join(' ')}\n`);
  process.stdout.write(`per request: ${(lines.length / requests).toFixed(2)} lines, ${(bytes / requests).toFixed(0)} bytes; per API request: ${(apiLines / (requests - probes)).toFixed(2)} lines; per probe: ${(probeLines / probes).toFixed(2)} lines\n`);
  figure({ name: 'log lines per API request at info', value: apiLines / (requests - probes), unit: 'lines', target: { op: '<=', limit: 1 }, note: `${requests - probes} mixed API requests` });
  figure({ name: 'log lines per health probe at info', value: probeLines / probes, unit: 'lines', target: { op: '<=', limit: 0 } });
  figure({ name: 'log bytes per request at info', value: bytes / requests / 1024, unit: 'KiB', note: `${requests} requests, ${probes} of them health probes` });
} finally {
  await server.stop();
}
