import { setTimeout as delay } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import type { AegisEvents } from '../../kernel/index.js';
import type { SessionState, SessionView } from '../../plugins/sessions/index.js';

/** Resolves with the first `name` event matching `pred`; rejects after `ms`. */
export function nextEvent<K extends keyof AegisEvents>(
  app: FastifyInstance, name: K, pred: (p: AegisEvents[K]) => boolean = () => true, ms = 10000,
): Promise<AegisEvents[K]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`no matching ${name} within ${ms} ms`)), ms); });
  return Promise.race([app.events.once(name, pred), timeout]).finally(() => clearTimeout(timer));
}

/** Resolves with the session once `id` is in `state` (at once if it is); rejects after `ms`. */
export async function waitState(app: FastifyInstance, id: string, state: SessionState, ms = 10000): Promise<SessionView> {
  // Events are emitted synchronously, so nothing can slip between this check and the subscription.
  if (app.sessions.get(id)?.status !== state) await nextEvent(app, 'session.state-changed', (p) => p.sessionId === id && p.to === state, ms);
  return app.sessions.get(id)!;
}

/**
 * Resolves with the screen text of session `id` once it matches `re`: checked now and at each of
 * the session's state changes (output always ends in one: idle after the quiet period, or exit).
 * Rejects after `ms`. Robust to output arriving in several pieces.
 */
export function waitForText(app: FastifyInstance, id: string, re: RegExp, ms = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const text = () => app.sessions.pane(id).lines.join('\n');
    const timer = setTimeout(() => { off(); reject(new Error(`screen never matched ${re} within ${ms} ms:\n${text()}`)); }, ms);
    const check = () => {
      const now = text();
      if (!re.test(now)) return;
      clearTimeout(timer);
      off();
      resolve(now);
    };
    const off = app.events.on('session.state-changed', (p) => { if (p.sessionId === id) check(); });
    check();
  });
}

/**
 * Checks `done` every `everyMs` until it holds or `ms` pass; resolves with its last answer. For
 * what raises no event (a process that is not our child ending, a key expiring, a file the CLI
 * writes): bounded in time, so a test never hangs on it.
 */
export async function pollUntil(done: () => boolean | Promise<boolean>, ms = 5000, everyMs = 20): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await done()) return true;
    await delay(everyMs);
  }
  return done();
}

/** Like `pollUntil`, but throws naming `what` when `done` never holds: for a step a test cannot go on without. */
export async function waitUntil(done: () => boolean, what: string, ms = 10_000, everyMs = 2): Promise<void> {
  if (!(await pollUntil(done, ms, everyMs))) throw new Error(`timed out waiting for ${what}`);
}
