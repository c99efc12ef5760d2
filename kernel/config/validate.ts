import { Value } from '@sinclair/typebox/value';
import type { TSchema } from '@sinclair/typebox';
import { BootError } from '../errors.js';

function keyOf(prefix: string, instancePath: string): string {
  const p = instancePath.replace(/^\//, '').split('/').filter(Boolean).join('.');
  return [prefix, p].filter(Boolean).join('.') || '(root)';
}

function expected(schema: TSchema): string {
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.anyOf) return (schema.anyOf as TSchema[]).map(expected).join(' or ');
  if (schema.type === 'object' && schema.properties) return `an object with keys ${Object.keys(schema.properties).join(', ')}`;
  const bounds = [
    schema.minimum !== undefined ? `>= ${schema.minimum}` : '',
    schema.maximum !== undefined ? `<= ${schema.maximum}` : '',
    schema.minLength !== undefined ? `at least ${schema.minLength} characters` : '',
  ].filter(Boolean).join(', ');
  const type = schema.type === 'integer' ? 'an integer' : schema.type ? `a ${schema.type}` : 'a valid value';
  return bounds ? `${type} (${bounds})` : type;
}

/**
 * Applies defaults, then checks `value` against `schema`. The first problem stops the boot with one
 * line naming the key, the value and what was expected; an unknown key names the known ones.
 */
export function validateOrThrow<T>(schema: TSchema, value: unknown, prefix: string, code: `AEGIS_ERR_${string}`): T {
  const withDefaults = Value.Default(schema, structuredClone(value ?? {}));
  const first = Value.Errors(schema, withDefaults).First();
  if (!first) return withDefaults as T;
  const key = keyOf(prefix, first.path);
  // Unknown keys are reported at the object; find which key is extra.
  const parentSchema = first.schema;
  if (parentSchema.type === 'object' && parentSchema.additionalProperties === false && first.value && typeof first.value === 'object') {
    const known = Object.keys(parentSchema.properties ?? {});
    const extra = Object.keys(first.value as object).find((k) => !known.includes(k));
    if (extra !== undefined) {
      throw new BootError(code, `config: ${keyOf(prefix, `${first.path}/${extra}`)} is not a known key: expected one of ${known.join(', ')}`);
    }
  }
  const shown = JSON.stringify(first.value);
  throw new BootError(code, `config: ${key}=${shown === undefined ? 'undefined' : shown} is invalid: expected ${expected(first.schema)}`);
}
