import fc from 'fast-check';

/** The JSON Schema subset TypeBox emits, as far as request shapes need it. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  additionalProperties?: boolean | JsonSchema;
}

/** Strings that have broken servers: traversal, NUL, escapes, encodings, huge, numeric edge forms. */
const NASTY = fc.constantFrom(
  '', ' ', '..', '../../etc/passwd', '/', '/tmp', '%', '%00', '%2e%2e%2f', '\u0000', '\u001b[31m', '\ud800', 'Infinity', '-Infinity',
  'NaN', '1e999', '-1', '0x10', '[object Object]', '__proto__', 'constructor', '<script>', "' OR 1=1 --", '$(id)', '`id`', 'a'.repeat(5000),
);

/** Numbers that have broken validators and serializers. */
const EDGE_NUMBERS = fc.constantFrom(0, -1, 1, 2 ** 31, 2 ** 53, -(2 ** 53), 1e308, -1e308, 0.5, Number.MAX_SAFE_INTEGER + 2);

/**
 * Values shaped by `schema` most of the time, and nonsense of every other shape some of the
 * time, so both the happy paths and the refusals of each route are exercised.
 */
export function fromSchema(schema: JsonSchema | undefined, depth = 0): fc.Arbitrary<unknown> {
  const junk = depth > 2 ? fc.oneof(NASTY, EDGE_NUMBERS, fc.constant(null)) : fc.oneof(NASTY, EDGE_NUMBERS, fc.anything({ maxDepth: 2 }));
  if (!schema) return junk;
  return fc.oneof({ weight: 4, arbitrary: shaped(schema, depth) }, { weight: 1, arbitrary: junk });
}

function shaped(s: JsonSchema, depth: number): fc.Arbitrary<unknown> {
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  const union = s.anyOf ?? s.oneOf;
  if (union?.length) return fc.oneof(...union.map((u) => shaped(u, depth)));
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case 'string':
      return fc.oneof(fc.string({ minLength: s.minLength ?? 0, maxLength: Math.min(s.maxLength ?? 40, 40) }), NASTY);
    case 'integer':
      return fc.oneof(fc.integer({ min: Math.max(s.minimum ?? -1000, -1e9), max: Math.min(s.maximum ?? 1000, 1e9) }), EDGE_NUMBERS);
    case 'number':
      return fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), EDGE_NUMBERS);
    case 'boolean':
      return fc.boolean();
    case 'array':
      return depth > 3 ? fc.constant([]) : fc.array(fromSchema(s.items, depth + 1), { maxLength: 4 });
    case 'object': {
      if (depth > 3) return fc.constant({});
      const props = s.properties ?? {};
      const required = new Set(s.required ?? []);
      const known = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, fromSchema(v, depth + 1)]));
      return fc.record(known, { requiredKeys: Object.keys(props).filter((k) => required.has(k)) })
        .chain((o) => fc.option(fc.dictionary(fc.string({ maxLength: 8 }), fc.anything({ maxDepth: 1 }), { maxKeys: 2 }), { nil: undefined })
          .map((extra) => (extra ? { ...extra, ...o } : o)));
    }
    default:
      return fc.anything({ maxDepth: 2 });
  }
}
