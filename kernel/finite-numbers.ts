import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

type Validate = ((data: unknown, ctx?: unknown) => unknown) & { errors?: unknown; schemaEnv?: unknown };
type BuildValidator = (route: unknown) => Validate;
const MAX_DEPTH = 32;

/** JSON pointer of the first non-finite number in `value` (NaN, Infinity, or `1e999` from JSON), if any. */
export function findNonFinite(value: unknown, path = '', depth = 0): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : path || '/';
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return undefined;
  for (const [key, child] of Object.entries(value)) {
    const found = findNonFinite(child, `${path}/${key}`, depth + 1);
    if (found) return found;
  }
  return undefined;
}

function refuseNonFinite(validate: Validate): Validate {
  const wrapped: Validate = (data, ctx) => {
    const ok = validate(data, ctx);
    if (ok === false) { wrapped.errors = validate.errors; return false; }
    const where = findNonFinite(data);
    if (where === undefined) { wrapped.errors = null; return ok; }
    wrapped.errors = [{ instancePath: where === '/' ? '' : where, schemaPath: '#', keyword: 'finite', params: {}, message: 'must be a finite number' }];
    return false;
  };
  wrapped.schemaEnv = validate.schemaEnv;
  return wrapped;
}

/**
 * Fastify's own validator compiler, with one rule added: no request part may carry a non-finite
 * number. Ajv coerces `?offset=Infinity` (and JSON's `1e999`) to Infinity and accepts it as an
 * integer; the response serializer then throws, so such input must be refused up front.
 */
export function finiteValidatorFactory() {
  // Required here, not imported: Ajv loads with the first validator compiled (see lazy-compile.ts).
  const AjvCompiler = require('@fastify/ajv-compiler') as typeof import('@fastify/ajv-compiler');
  const factory = AjvCompiler() as unknown as (schemas: unknown, options: unknown) => BuildValidator;
  return (externalSchemas: unknown, options: unknown) => {
    const build = factory(externalSchemas, options);
    return (route: unknown) => refuseNonFinite(build(route));
  };
}
