import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { bearer, buildTestApp } from './app.js';
import { openStream, type SseClient } from './sse-client.js';
import { catalogue } from '../../plugins/index.js';
import { fakeDriverPlugin } from '../../plugins/sessions/fake-driver.js';

/** An in-process server listening on 127.0.0.1 with the fake driver, for stream tests over real HTTP. */
export interface StreamWorld {
  app: FastifyInstance;
  base: string;
  work: string;
  stateDir: string;
  /** JSON request over inject (the streams themselves always go over HTTP). */
  call(method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown, token?: string): Promise<{ status: number; json: any }>;
  /** Opens an event stream over real HTTP, with the master token unless headers say otherwise. */
  stream(path: string, headers?: Record<string, string>): Promise<SseClient>;
  /** A new fake-driver session; its id. */
  session(token?: string, extra?: Record<string, unknown>): Promise<string>;
}

export async function streamWorld(
  t: { teardown(fn: () => unknown): void },
  plugins: Record<string, unknown> = {},
  stateDir?: string,
): Promise<StreamWorld> {
  const dir = stateDir ?? await mkdtemp(join(tmpdir(), 'aegis-sse-state-'));
  const work = await mkdtemp(join(tmpdir(), 'aegis-sse-work-'));
  const fake = fakeDriverPlugin();
  const app = await buildTestApp({
    stateDir: dir, catalogue: { ...catalogue, ...fake.catalogue },
    plugins: { acp: false, 'claude-code': false, command: false, ...plugins },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address() as { port: number };
  const base = `http://127.0.0.1:${addr.port}`;
  const clients: SseClient[] = [];
  t.teardown(async () => {
    for (const c of clients) c.close();
    await app.close();
    await rm(work, { recursive: true, force: true });
    if (!stateDir) await rm(dir, { recursive: true, force: true });
  });
  const call: StreamWorld['call'] = async (method, url, body, token) => {
    const res = await app.inject({ method, url, headers: bearer(token), ...(body === undefined ? {} : { payload: body as object }) });
    return { status: res.statusCode, json: res.body ? res.json() : undefined };
  };
  return {
    app, base, work, stateDir: dir, call,
    async stream(path, headers = bearer()) {
      const c = await openStream(base + path, headers);
      clients.push(c);
      return c;
    },
    async session(token, extra = {}) {
      const res = await call('POST', '/v1/sessions', { workDir: work, agent: 'fake', reuse: false, ...extra }, token);
      if (res.status !== 201) throw new Error(`create failed: ${JSON.stringify(res.json)}`);
      return res.json.id as string;
    },
  };
}
