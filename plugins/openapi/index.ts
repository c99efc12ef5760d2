import fp from 'fastify-plugin';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { VERSION } from '../../kernel/index.js';
import { buildDocument, type RouteEntry } from './document.js';

/** The openapi plugin takes no options. */
export const optionsSchema = Type.Object({}, { additionalProperties: false });

/**
 * Collects every route's TypeBox schema into one OpenAPI 3 document, served at
 * `GET /v1/openapi.json` (bearer auth like the rest of the API). At boot it only notes the routes
 * being added; the document is built on its first request and kept, so an idle server never
 * loads the OpenAPI generator.
 */
async function openapi(app: FastifyInstance) {
  const routes: RouteEntry[] = [];
  app.addHook('onRoute', (route) => {
    // HEAD twins of GET routes are fastify's own and are not documented.
    const methods = [route.method].flat().filter((m) => m !== 'HEAD');
    if (methods.length === 0) return;
    // The same objects fastify holds: hooks of plugins loaded later may still add to a schema.
    routes.push({ method: methods.length === 1 ? methods[0]! : methods, url: route.url, schema: route.schema, config: route.config });
  });
  let document: Promise<unknown> | undefined;
  const header = {
    openapi: '3.0.3',
    info: { title: 'Aegis API', version: VERSION, description: 'Control plane for AI coding agents' },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearer: [] }],
  };
  app.get('/v1/openapi.json', { schema: { hide: true }, config: { permission: 'read' } }, async () => {
    // One build shared by concurrent first requests; a failed build is retried by the next one.
    document ??= buildDocument(routes, header).catch((err) => { document = undefined; throw err; });
    return document;
  });
}

export default fp(openapi, { name: 'openapi', fastify: '5.x' });
