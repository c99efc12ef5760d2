import type { FastifyInstance } from 'fastify';
import type { AegisEvents } from '../../kernel/index.js';
import { buildTestApp } from '../../test/support/app.js';

/** An app with the notifications plugin, the given channel plugins, and fast retries. */
export async function channelApp(t: { teardown(fn: () => unknown): void }, plugins: Record<string, unknown>, opts: { stateDir?: string; notifications?: Record<string, unknown> } = {}) {
  const app = await buildTestApp({
    ...(opts.stateDir ? { stateDir: opts.stateDir } : {}),
    plugins: { notifications: { retryBaseMs: 10, retryMaxMs: 50, ...opts.notifications }, ...plugins },
  });
  await app.ready();
  t.teardown(() => app.close());
  return app;
}

/** A session-shaped event payload for a session that does not exist (the bus does not care). */
export function exited(sessionId: string, extra: Partial<AegisEvents['session.exited']> = {}): AegisEvents['session.exited'] {
  return { sessionId, at: new Date().toISOString(), exitCode: 0, signal: null, ...extra };
}

/** Resolves with the next `name` event matching `pred`; rejects after `ms`. */
export function next<K extends keyof AegisEvents>(app: FastifyInstance, name: K, pred: (p: AegisEvents[K]) => boolean = () => true, ms = 15000) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`no ${name} within ${ms} ms`)), ms); });
  return Promise.race([app.events.once(name, pred), timeout]).finally(() => clearTimeout(timer));
}
