import { Type, type Static } from '@sinclair/typebox';

/** One receiving endpoint. */
export const EndpointSchema = Type.Object({
  url: Type.String({ pattern: '^https?://', description: 'Where events are POSTed' }),
  secret: Type.String({ minLength: 16, description: 'HMAC-SHA256 key of X-Aegis-Signature' }),
  events: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'Event patterns (`permission.*`, `session.exited`, `*`)' })),
  headers: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z0-9-]+$' }), Type.String(), { description: 'Extra request headers' })),
}, { additionalProperties: false });

/** The `plugins.notify-webhook` options block. */
export const optionsSchema = Type.Object({
  endpoints: Type.Array(EndpointSchema, { minItems: 1 }),
  allowPrivate: Type.Boolean({ default: false, description: 'Allow private, loopback and link-local targets' }),
}, { additionalProperties: false });

export type WebhookOptions = Static<typeof optionsSchema>;
export type WebhookEndpoint = Static<typeof EndpointSchema>;
