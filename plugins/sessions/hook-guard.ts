import type { FastifyRequest } from 'fastify';
import { randomBytes } from 'node:crypto';
import { type EventBus, safeEqual } from '../../kernel/index.js';
import { WindowCounter } from '../auth/index.js';
import { HookSecretInvalid, HookSecretMissing, HookThrottled } from './errors.js';

const NO_SECRET = randomBytes(32).toString('base64url');

export interface HookGuardOptions {
  max: number;
  windowMs: number;
  /** The hook secret of a live or known session, or undefined for an unknown id. */
  secretOf: (sessionId: string) => string | undefined;
  events: EventBus;
}

/**
 * Checks a hook call from its headers alone, in the route's onRequest, so a caller without the
 * session's secret never gets a (possibly 8 MiB) body read. Refusals are counted per address;
 * each is a `hook.rejected` event (audited) up to `max` in a window, then one `throttled` event,
 * and further refusals answer 429 without a record, so a flood cannot grow the audit log without
 * bound. A correct secret is always let through: every agent on this host shares the loopback
 * address, and a hostile one must not be able to cut the others' hooks off. (Guessing gains
 * nothing from that: a secret is 256 random bits.)
 */
export function createHookGuard(opts: HookGuardOptions) {
  const failures = new WindowCounter(opts.windowMs);

  const refuse = (ip: string, sessionId: string, reason: 'missing' | 'invalid') => {
    const n = failures.hit(ip);
    const at = new Date().toISOString();
    if (n <= opts.max) {
      opts.events.emit('hook.rejected', { ip, sessionId, reason, failures: n, at });
      return reason === 'missing' ? new HookSecretMissing() : new HookSecretInvalid();
    }
    if (n === opts.max + 1) opts.events.emit('hook.rejected', { ip, sessionId, reason: 'throttled', failures: n, at });
    return new HookThrottled(String(failures.retryAfterSeconds(ip)));
  };

  return async function checkHook(request: FastifyRequest): Promise<void> {
    const { sessionId } = request.params as { sessionId: string };
    const given = request.headers['x-aegis-hook-secret'];
    if (typeof given !== 'string' || given === '') throw refuse(request.ip, sessionId, 'missing');
    // An unknown session gets the same answer, after the same work, as a wrong secret: ids cannot be probed.
    if (!safeEqual(given, opts.secretOf(sessionId) ?? NO_SECRET)) throw refuse(request.ip, sessionId, 'invalid');
  };
}
