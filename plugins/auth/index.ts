import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { Static } from '@sinclair/typebox';
import { installGuard, installSecurityHeaders, type AuthOutcome } from './guard.js';
import { KeyStore } from './keys.js';
import { WindowCounter } from './limiter.js';
import type { Principal, TokenVerifier } from './principal.js';
import { can } from './roles.js';
import { keyRoutes } from './routes.js';
import type { AuthDeniedEvent, AuthFailedEvent, AuthOptions, AuthThrottledEvent, KeyEvent } from './schema.js';
import type { Permission } from './roles.js';
import { loadOrCreateSecret, safeEqual } from '../../kernel/index.js';
import { StreamTokens, type StreamKind } from './stream-tokens.js';

export { optionsSchema, type AuthOptions, type CreateKeyInput, type KeyEventT } from './schema.js';
export type { Principal, TokenVerifier } from './principal.js';
export type { KeyViewT, KeyWithSecretT, WhoAmIT } from './schema.js';
export { STREAM_KINDS, STREAM_TOKEN_PREFIX, type StreamKind } from './stream-tokens.js';
export { PERMISSIONS, ROLES, ROLE_PERMISSIONS, can, type Permission, type Role } from './roles.js';
export { WindowCounter } from './limiter.js';

/** `app.auth`: verify tokens, check permissions, manage API keys, register further verifiers. */
export interface AuthService {
  /** Resolves a token to a principal: the master token, then API keys, then each added verifier. */
  verify(token: string): Promise<Principal | null>;
  addVerifier(verifier: TokenVerifier): void;
  /** Whether a principal holds a permission (role plus extra permissions). */
  can(principal: Principal, permission: string): boolean;
  /** The API key store. */
  readonly keys: KeyStore;
  /** Where the generated master token lives, when it was generated rather than configured. */
  readonly tokenFile?: string;
  /**
   * The principal of a live stream token (`POST /v1/auth/stream-token`) presented to a stream of
   * `kind`, or null. Stream routes say `config: { stream: kind }` and the guard calls this for
   * their `?token=`; a route that authenticates by itself (a WebSocket upgrade) may call it too.
   */
  verifyStreamToken(token: string, kind: StreamKind): Principal | null;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Authentication, permissions and API keys (auth plugin). */
    auth: AuthService;
  }
  interface FastifyContextConfig {
    /** Marks an event or terminal stream: it also takes a stream token as `?token=`. */
    stream?: StreamKind;
  }
  interface FastifyRequest {
    /** Who made the request; null on routes with `config: { auth: false }`. */
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** The permission a principal needs for this route; undeclared means `admin`. */
    permission?: Permission;
  }
}

declare module '../../kernel/events.js' {
  interface AegisEvents {
    'auth.failed': Static<typeof AuthFailedEvent>;
    'auth.denied': Static<typeof AuthDeniedEvent>;
    'auth.throttled': Static<typeof AuthThrottledEvent>;
    'auth.key-created': Static<typeof KeyEvent>;
    'auth.key-revoked': Static<typeof KeyEvent>;
    'auth.key-rotated': Static<typeof KeyEvent>;
  }
}

async function masterToken(app: FastifyInstance, opts: AuthOptions): Promise<{ token: string; tokenFile?: string }> {
  const configured = app.config.server.authToken;
  if (configured) return { token: configured };
  const tokenFile = app.stateDir.path(opts.tokenFile);
  const { secret: token, created } = await loadOrCreateSecret(tokenFile, 'aegis_');
  app.log.child({ plugin: 'auth' }).info({ tokenFile }, created
    ? 'AEGIS_AUTH_TOKEN is not set: generated a master token; read it from this file (mode 0600)'
    : 'AEGIS_AUTH_TOKEN is not set: using the master token stored in this file');
  return { token, tokenFile };
}

/**
 * The auth plugin: the master token, API keys with roles, tenants and rate limits, the one guard
 * that authenticates and authorises every request, failure throttling and security headers.
 */
async function auth(app: FastifyInstance, opts: AuthOptions) {
  const { token: master, tokenFile } = await masterToken(app, opts);
  const keys = await KeyStore.open(app.stateDir.path(opts.keysFile));
  const verifiers: TokenVerifier[] = [];
  const streamTokens = new StreamTokens(opts.streamTokenTtlMs);

  const authenticate = async (token: string): Promise<AuthOutcome> => {
    if (safeEqual(token, master)) return { principal: { id: 'master', kind: 'master', role: 'admin' } };
    const checked = keys.check(token);
    if (checked) return checked;
    for (const v of verifiers) {
      const principal = await v(token);
      if (principal) return { principal };
    }
    return { failure: 'unknown' };
  };

  const service: AuthService = {
    tokenFile,
    keys,
    can,
    async verify(token) {
      const outcome = await authenticate(token);
      return 'principal' in outcome ? outcome.principal : null;
    },
    addVerifier: (v) => { verifiers.push(v); },
    verifyStreamToken(token, kind) {
      if (kind !== 'events' && kind !== 'terminal') return null;
      const principal = streamTokens.verify(token);
      if (principal?.kind !== 'key') return principal;
      // The key behind the token must still be good: revoking a key closes its tokens too.
      const k = keys.get(principal.id);
      return k && keys.status(k) === 'active' ? principal : null;
    },
  };
  app.decorate('auth', service);
  app.decorateRequest('principal', null);

  installGuard(app, {
    authenticate,
    streamToken: (token, kind) => service.verifyStreamToken(token, kind),
    failures: new WindowCounter(opts.failureWindowMs),
    failureLimit: opts.failureLimit,
    keyRequests: new WindowCounter(60_000),
  });
  installSecurityHeaders(app);
  await app.register(keyRoutes, { keys, streamTokens });
}

export default fp(auth, { name: 'auth', fastify: '5.x', decorators: { fastify: ['config', 'events', 'stateDir'] } });
