import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIST } from '../support/paths.js';
import { TEST_TOKEN } from '../support/app.js';
import { startServer, type ServerProcess } from '../support/server-process.js';
import type { ReceivedSpan } from '../support/otlp-receiver.js';

/** The preload, as `node --import` takes it. */
export const PRELOAD = join(DIST, 'plugins', 'tracing', 'preload.js');
/** The module probe fixture (records what the process loads). */
export const PROBE = join(DIST, 'test', 'fixtures', 'module-probe.js');

/** A W3C traceparent of a fresh, sampled trace, as a caller would send it. */
export function newTraceparent(): { header: string; traceId: string; parentId: string } {
  const traceId = randomBytes(16).toString('hex');
  const parentId = randomBytes(8).toString('hex');
  return { header: `00-${traceId}-${parentId}-01`, traceId, parentId };
}

/** Starts the real server process with the preload and a config file of `plugins`. */
export async function startTracedServer(opts: {
  plugins: Record<string, unknown>; env?: Record<string, string>; nodeArgs?: string[]; preload?: boolean;
}): Promise<ServerProcess> {
  const cwd = await mkdtemp(join(tmpdir(), 'aegis-tracing-cwd-'));
  await writeFile(join(cwd, 'aegis.config.json'), JSON.stringify({ version: 1, plugins: opts.plugins }));
  return startServer({
    cwd,
    nodeArgs: [...(opts.nodeArgs ?? []), ...(opts.preload === false ? [] : ['--import', PRELOAD])],
    env: { AEGIS_AUTH_TOKEN: TEST_TOKEN, ...opts.env },
    timeoutMs: 60000,
  });
}

/** An authorised JSON request to the server. */
export async function call(server: ServerProcess, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(server.url + path, {
    method,
    headers: { authorization: `Bearer ${TEST_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, json, text, requestId: res.headers.get('x-request-id') ?? '' };
}

/**
 * Waits until GET /v1/sessions/:id shows `state`. The server is another process with no event
 * stream on this branch, so this asks, bounded in count and time.
 */
export async function waitStatus(server: ServerProcess, id: string, state: string, ms = 60000): Promise<any> {
  const until = Date.now() + ms;
  let last: any;
  for (let i = 0; i < 2000 && Date.now() < until; i++) {
    last = (await call(server, 'GET', `/v1/sessions/${id}`)).json;
    if (last?.status === state) return last;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`session ${id} not ${state} within ${ms} ms; last ${JSON.stringify(last)?.slice(0, 400)}`);
}

/** The module-probe line a stopped server wrote. */
export function probeReport(server: ServerProcess): { esm: string[]; cjs: string[] } {
  const line = server.stderr.find((l) => l.startsWith('module-probe: '));
  if (!line) throw new Error(`no module-probe line; stderr: ${server.stderr.join('\n').slice(0, 2000)}`);
  return JSON.parse(line.slice('module-probe: '.length));
}

/** The spans named `name`. */
export const named = (spans: ReceivedSpan[], name: string) => spans.filter((s) => s.name === name);
