import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type {} from '../notifications/index.js';
import type { WebhookOptions } from './schema.js';
import { createWebhookChannel } from './webhook.js';

export { optionsSchema, type WebhookOptions, type WebhookEndpoint } from './schema.js';
export { signature, webhookBody, webhookChannelName } from './webhook.js';

/** Signed JSON webhooks: one notification channel (`webhook:<host>-<url hash>`) per configured endpoint. */
async function notifyWebhook(app: FastifyInstance, opts: WebhookOptions) {
  for (const endpoint of opts.endpoints) {
    app.notifications.scrubber.addSecret(endpoint.secret);
    for (const value of Object.values(endpoint.headers ?? {})) app.notifications.scrubber.addSecret(value);
    app.notifications.addChannel(createWebhookChannel(endpoint, opts.allowPrivate));
  }
}

export default fp(notifyWebhook, { name: 'notify-webhook', fastify: '5.x', dependencies: ['notifications'] });
