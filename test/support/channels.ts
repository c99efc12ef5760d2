import type { AegisEvents } from '../../kernel/index.js';
import { buildTestApp } from './app.js';
import { nextEvent } from './wait.js';

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

/** The next `name` event matching `pred`; deliveries with retries get a longer wait than the default. */
export const next: typeof nextEvent = (app, name, pred, ms = 15000) => nextEvent(app, name, pred, ms);
