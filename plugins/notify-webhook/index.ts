import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type {} from '../notifications/index.js';
import type { WebhookOptions } from './schema.js';
import { createWebhookChannel } from './webhook.js';

export { optionsSchema, type WebhookOptions, type WebhookEndpoint } from './schema.js';
export { signature, webhookBody } from './webhook.js';

/** Signed JSON webhooks: one notification channel (`webhook:<n>`) per configured endpoint. */
async function notifyWebhook(app: FastifyInstance, opts: WebhookOptions) {
  opts.endpoints.forEach((endpoint, i) => {
    app.notifications.scrubber.addSecret(endpoint.secret);
    for (const value of Object.values(endpoint.headers ?? {})) app.notifications.scrubber.addSecret(value);
    app.notifications.addChannel(createWebhookChannel(endpoint, i, opts.allowPrivate));
  });
}

export default fp(notifyWebhook, { name: 'notify-webhook', fastify: '5.x', dependencies: ['notifications'] });
