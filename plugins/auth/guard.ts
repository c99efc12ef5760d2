import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Forbidden, InvalidStreamToken, InvalidToken, KeyInUrl, KeyRateLimited, MissingToken, Throttled } from './errors.js';
import type { WindowCounter } from './limiter.js';
import { bearerToken, type Principal } from './principal.js';
import { can, requiredPermission } from './roles.js';
import type { StreamKind } from './stream-tokens.js';

/** What checking a token found: a principal, or why not (for the audit trail only). */
export type AuthOutcome = { principal: Principal } | { failure: string; keyId?: string };

/** What the guard needs; the auth plugin builds it. */
export interface GuardDeps {
  authenticate(token: string): Promise<AuthOutcome>;
  /** The principal of a live stream token presented to a stream of `kind`, or null. */
  streamToken(token: string, kind: StreamKind): Principal | null;
  /** Invalid tokens per address. */
  failures: WindowCounter;
  failureLimit: number;
  /** Requests per key, for keys with a `rateLimit`. */
  keyRequests: WindowCounter;
}

const path = (request: FastifyRequest) => request.url.split('?')[0];

/** The `?token=` of a request, if it has exactly one. */
const queryToken = (request: FastifyRequest): string | undefined => {
  const t = (request.query as Record<string, unknown> | undefined)?.token;
  return typeof t === 'string' && t.length > 0 ? t : undefined;
};

/**
 * The one place requests are authenticated and authorised, as one onRequest hook: throttled
 * addresses are refused, then the token is resolved to `request.principal`, the key's own rate
 * limit is applied, and the route's declared permission (admin when undeclared) is checked.
 * Routes with `config: { auth: false }` skip all of it; `auth: 'optional'` skips it for requests
 * that bring no token.
 */
export function installGuard(app: FastifyInstance, deps: GuardDeps): void {
  const failed = (request: FastifyRequest, code: string, reason: string, keyId?: string) => {
    app.events.emit('auth.failed', {
      ip: request.ip, method: request.method, url: path(request), code, at: new Date().toISOString(), reason, ...(keyId ? { keyId } : {}),
    });
  };
  const retryAfter = (reply: FastifyReply, seconds: number) => { reply.header('retry-after', String(seconds)); return String(seconds); };

  /** Counts a failure against the address; the one that reaches the limit is an event of its own. */
  const strike = (ip: string) => {
    const count = deps.failures.hit(ip);
    if (count === deps.failureLimit) {
      app.events.emit('auth.throttled', { ip, failures: count, until: new Date(deps.failures.windowEnd(ip)).toISOString(), at: new Date().toISOString() });
    }
  };

  app.addHook('onRequest', async (request, reply) => {
    const open = request.routeOptions.config?.auth;
    if (open === false) return;
    // An optional route is open; a token brought to it (header or URL) is checked like anywhere else.
    if (open === 'optional' && request.headers.authorization === undefined && queryToken(request) === undefined) return;
    const ip = request.ip;
    // A throttled address is refused even with a good token; otherwise the 429 would be an oracle.
    if (deps.failures.count(ip) >= deps.failureLimit) throw new Throttled(retryAfter(reply, deps.failures.retryAfterSeconds(ip)));
    const token = bearerToken(request.headers.authorization);
    const inUrl = token ? undefined : queryToken(request);
    let outcome: AuthOutcome = token ? await deps.authenticate(token) : { failure: 'missing' };
    if (inUrl !== undefined) {
      const stream = request.routeOptions.config?.stream;
      const principal = stream ? deps.streamToken(inUrl, stream) : null;
      if (principal) {
        outcome = { principal };
      } else {
        // A real key in a URL is refused by name, so the caller learns to stop leaking it.
        const asKey = await deps.authenticate(inUrl);
        const err = 'principal' in asKey ? new KeyInUrl() : stream ? new InvalidStreamToken() : new MissingToken();
        strike(ip);
        reply.header('www-authenticate', 'Bearer');
        failed(request, err.code, 'principal' in asKey ? 'key-in-url' : 'stream-token', 'principal' in asKey ? undefined : asKey.keyId);
        throw err;
      }
    }
    if (!('principal' in outcome)) {
      // Missing tokens count too: each failure is an fsync'd audit record, so floods must stop early.
      strike(ip);
      const err = token ? new InvalidToken() : new MissingToken();
      reply.header('www-authenticate', token ? 'Bearer error="invalid_token"' : 'Bearer');
      failed(request, err.code, outcome.failure, outcome.keyId);
      throw err;
    }
    const principal = outcome.principal;
    request.principal = principal;
    if (principal.rateLimit !== undefined && deps.keyRequests.hit(principal.id) > principal.rateLimit) {
      throw new KeyRateLimited(String(principal.rateLimit), retryAfter(reply, deps.keyRequests.retryAfterSeconds(principal.id)));
    }
    // Nothing is behind an unknown URL, so it answers 404 to anyone authenticated.
    if (request.is404) return;
    if (open === 'optional' && request.routeOptions.config?.permission === undefined) return;
    const needed = requiredPermission(request.routeOptions.config?.permission);
    if (!can(principal, needed)) {
      app.events.emit('auth.denied', {
        principalId: principal.id, ...(principal.tenantId !== undefined ? { tenantId: principal.tenantId } : {}),
        permission: needed, method: request.method, url: path(request), at: new Date().toISOString(),
      });
      throw new Forbidden(needed);
    }
  });
}

/**
 * Security headers on every response: no MIME sniffing, no referrer, no framing; API responses
 * are never cached (they carry session state and, once, a key).
 */
export function installSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    if (!reply.hasHeader('x-frame-options')) reply.header('x-frame-options', 'DENY');
    if (path(request).startsWith('/v1/') && !reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });
}
