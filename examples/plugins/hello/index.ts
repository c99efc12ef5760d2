import fp from 'fastify-plugin';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
// Type-only: the request's `principal` and the `permission` route option come from auth's public entry.
import type { Principal } from '../../../plugins/auth/index.js';

/**
 * An out-of-tree plugin, loaded by path or package name from the config's `plugins:` map:
 *
 * ```yaml
 * plugins:
 *   ./examples/plugins/hello/index.js: { greeting: Hi }
 * ```
 * It exports its options schema like any first-party plugin; Aegis validates the options.
 */
export const optionsSchema = Type.Object({
  greeting: Type.String({ default: 'Hello', minLength: 1 }),
}, { additionalProperties: false });

async function hello(app: FastifyInstance, opts: Static<typeof optionsSchema>) {
  app.get('/v1/hello', async (request) => {
    const who: Principal | null = request.principal;
    return { greeting: opts.greeting, principal: who?.id ?? null };
  });
}

export default fp(hello, { name: 'hello', fastify: '5.x', dependencies: ['auth'] });
