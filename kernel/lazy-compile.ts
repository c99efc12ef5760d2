import { createRequire } from 'node:module';

/*
 * Fastify compiles every route's validators (Ajv) and response serializers
 * (fast-json-stringify) at boot. Each is generated code plus closures on the heap, and most routes
 * of an idle server are never called, so these factories hand fastify stand-ins that compile on
 * their first call. The cost moves to the first request of each route part (about a millisecond);
 * a schema fastify cannot compile fails that request with a 500 instead of failing the boot, and
 * route-schema tests catch that before it ships. The compilers themselves (Ajv with its formats,
 * fast-json-stringify) are loaded on the first compile too, so an idle server never loads them.
 */

const require = createRequire(import.meta.url);

type Validate = ((data: unknown, ctx?: unknown) => unknown) & { errors?: unknown; schemaEnv?: unknown };
type BuildValidator = (route: unknown) => Validate;
type ValidatorFactory = (externalSchemas: unknown, options: unknown) => BuildValidator;
type Serialize = (data: unknown) => string;
type SerializerFactory = (externalSchemas: unknown, options: unknown) => (route: unknown) => Serialize;

function lazyValidator(compile: () => Validate): Validate {
  let compiled: Validate | undefined;
  const get = () => (compiled ??= compile());
  const lazy = ((data: unknown, ctx?: unknown) => {
    const v = get();
    const ok = v(data, ctx);
    lazy.errors = v.errors;
    return ok;
  }) as Validate;
  // Fastify reads `schemaEnv` (the mark of an Ajv function) on every call to decide how to call it.
  Object.defineProperty(lazy, 'schemaEnv', { get: () => get().schemaEnv });
  return lazy;
}

/** The validators of the factory `make` returns, made on the first compile, each compiled on its first call. */
export function lazyValidators(make: () => ValidatorFactory): ValidatorFactory {
  let factory: ValidatorFactory | undefined;
  return (externalSchemas, options) => {
    let build: BuildValidator | undefined;
    return (route) => lazyValidator(() => {
      if (!factory) factory = make();
      if (!build) build = factory(externalSchemas, options);
      return build(route);
    });
  };
}

/** Fastify's own response serializers (fast-json-stringify), each compiled on its first call. */
export function lazySerializers(): SerializerFactory {
  let factory: SerializerFactory | undefined;
  return (externalSchemas, options) => {
    let build: ((route: unknown) => Serialize) | undefined;
    return (route) => {
      let compiled: Serialize | undefined;
      return (data) => {
        if (!compiled) {
          factory ??= (require('@fastify/fast-json-stringify-compiler') as { SerializerSelector: () => SerializerFactory }).SerializerSelector();
          build ??= factory(externalSchemas, options);
          compiled = build(route);
        }
        return compiled(data);
      };
    };
  };
}
