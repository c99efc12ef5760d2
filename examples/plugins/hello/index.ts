import fp from 'fastify-plugin';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';

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
  app.get('/v1/hello', async (request) => ({ greeting: opts.greeting, principal: (request as { principal?: { id: string } }).principal?.id ?? null }));
}

export default fp(hello, { name: 'hello', fastify: '5.x', dependencies: ['auth'] });
