import fp from 'fastify-plugin';
import swagger from '@fastify/swagger';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { VERSION } from '../../kernel/index.js';

/** The openapi plugin takes no options. */
export const optionsSchema = Type.Object({}, { additionalProperties: false });

/**
 * Collects every route's TypeBox schema into one OpenAPI 3 document, served at
 * `GET /v1/openapi.json` (bearer auth like the rest of the API).
 */
async function openapi(app: FastifyInstance) {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Aegis API', version: VERSION, description: 'Control plane for AI coding agents' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  app.get('/v1/openapi.json', { schema: { hide: true }, config: { permission: 'read' } }, async () => app.swagger());
}

export default fp(openapi, { name: 'openapi', fastify: '5.x' });
