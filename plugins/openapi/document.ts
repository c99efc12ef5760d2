import Fastify, { type RouteOptions } from 'fastify';

/** What the document needs of a route: everything but its handler and hooks. */
export interface RouteEntry {
  method: RouteOptions['method'];
  url: string;
  schema?: RouteOptions['schema'];
  config?: unknown;
}

/** The OpenAPI header fields: title, version, security. */
export type OpenapiHeader = Record<string, unknown>;

/**
 * Builds the OpenAPI document of `routes` with @fastify/swagger, on a scratch fastify instance
 * that only carries their schemas. Swagger (with its YAML and JSON-schema resolver modules) is
 * loaded here, on the first request for the document, not at boot: an idle server never pays
 * for it. The scratch instance compiles nothing (its validators and serializers are stand-ins)
 * and is closed before this returns.
 */
export async function buildDocument(routes: readonly RouteEntry[], openapi: OpenapiHeader): Promise<unknown> {
  const { default: swagger } = await import('@fastify/swagger');
  const scratch = Fastify({ exposeHeadRoutes: false });
  scratch.setValidatorCompiler(() => () => true);
  scratch.setSerializerCompiler(() => (data) => JSON.stringify(data));
  try {
    await scratch.register(swagger, { openapi });
    scratch.after(() => {
      for (const r of routes) {
        scratch.route({ method: r.method, url: r.url, schema: r.schema, config: r.config as never, handler: async () => null });
      }
    });
    await scratch.ready();
    return scratch.swagger();
  } finally {
    await scratch.close();
  }
}
