import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { deliverHttp, type NotificationChannel } from '../notifications/index.js';
import { discordMessage, discordOutcome } from './embeds.js';
import { discordInteractions } from './interactions.js';
import type { DiscordOptions } from './schema.js';
import { discordKey } from './signature.js';

export { optionsSchema, envOptions, type DiscordOptions } from './schema.js';
export { verifyDiscord, discordKey } from './signature.js';
export { discordMessage, customId, parseCustomId } from './embeds.js';

/** The webhook URL with the query Discord needs: wait for the message, and keep the buttons. */
function executeUrl(webhookUrl: string, components: boolean): string {
  const url = new URL(webhookUrl);
  url.searchParams.set('wait', 'true');
  if (components) url.searchParams.set('with_components', 'true');
  return url.toString();
}

/** The Discord channel: an embed per event, buttons on permission requests, Discord's rate limits honoured. */
export function createDiscordChannel(opts: DiscordOptions, dashboardUrl: string): NotificationChannel {
  return {
    name: 'discord',
    ...(opts.events ? { events: opts.events } : {}),
    send(d, ctx) {
      const { body, components } = discordMessage(d, dashboardUrl);
      return deliverHttp({ url: executeUrl(opts.webhookUrl, components), headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
        { signal: ctx.signal, allowPrivate: opts.allowPrivate }, discordOutcome);
    },
  };
}

/** Discord: embeds to a webhook, and the signed interactions route when a public key is set. */
async function notifyDiscord(app: FastifyInstance, opts: DiscordOptions) {
  const dashboardUrl = opts.dashboardUrl;
  app.notifications.scrubber.addSecret(opts.webhookUrl);
  app.notifications.addChannel(createDiscordChannel(opts, dashboardUrl));
  if (opts.publicKey) {
    await app.register(discordInteractions, { key: discordKey(opts.publicKey), applicationId: opts.applicationId, notifications: app.notifications });
  }
}

export default fp(notifyDiscord, { name: 'notify-discord', fastify: '5.x', dependencies: ['notifications'] });
