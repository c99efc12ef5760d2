import fp from 'fastify-plugin';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { MissingToken, InvalidToken } from './errors.js';
import { bearerToken, safeEqual, type Principal, type TokenVerifier } from './principal.js';
import { loadOrCreateToken } from './token-file.js';

export type { Principal, TokenVerifier } from './principal.js';

/** The auth plugin's options. The master token itself comes from AEGIS_AUTH_TOKEN (`server.authToken`). */
export const optionsSchema = Type.Object({
  tokenFile: Type.String({ default: 'auth-token', description: 'Where a generated master token is kept, relative to the state directory' }),
}, { additionalProperties: false });

/** `app.auth`: verify tokens and register further verifiers (API keys). */
export interface AuthService {
  /** Resolves a token to a principal: the master token first, then each added verifier. */
  verify(token: string): Promise<Principal | null>;
  addVerifier(verifier: TokenVerifier): void;
  /** Where the generated master token lives, when it was generated rather than configured. */
  readonly tokenFile?: string;
}

declare module 'fastify' {
  interface FastifyInstance { auth: AuthService }
  interface FastifyRequest { principal: Principal | null }
}

declare module '../../kernel/events.js' {
  interface AegisEvents {
    'auth.failed': { ip: string; method: string; url: string; code: string; at: string };
  }
}

async function auth(app: FastifyInstance, opts: { tokenFile: string }) {
  const log = app.log.child({ plugin: 'auth' });
  let master = app.config.server.authToken;
  let tokenFile: string | undefined;
  if (!master) {
    tokenFile = app.stateDir.path(opts.tokenFile);
    const { token, created } = await loadOrCreateToken(tokenFile);
    master = token;
    log.info({ tokenFile }, created
      ? 'AEGIS_AUTH_TOKEN is not set: generated a master token; read it from this file (mode 0600)'
      : 'AEGIS_AUTH_TOKEN is not set: using the master token stored in this file');
  }
  const masterToken = master;
  const verifiers: TokenVerifier[] = [];
  const service: AuthService = {
    tokenFile,
    async verify(token) {
      if (safeEqual(token, masterToken)) return { id: 'master', kind: 'master', role: 'admin' };
      for (const v of verifiers) {
        const p = await v(token);
        if (p) return p;
      }
      return null;
    },
    addVerifier: (v) => { verifiers.push(v); },
  };
  app.decorate('auth', service);
  app.decorateRequest('principal', null);

  const fail = (request: FastifyRequest, err: Error & { code: string }) => {
    app.events.emit('auth.failed', { ip: request.ip, method: request.method, url: request.url.split('?')[0], code: err.code, at: new Date().toISOString() });
    return err;
  };
  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.config?.auth === false) return;
    const token = bearerToken(request.headers.authorization);
    if (!token) {
      reply.header('www-authenticate', 'Bearer');
      throw fail(request, new MissingToken());
    }
    const principal = await service.verify(token);
    if (!principal) {
      reply.header('www-authenticate', 'Bearer error="invalid_token"');
      throw fail(request, new InvalidToken());
    }
    request.principal = principal;
  });
}

export default fp(auth, { name: 'auth', fastify: '5.x' });
