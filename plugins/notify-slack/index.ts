import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { deliverHttp, type NotificationChannel } from '../notifications/index.js';
import { slackMessage } from './blocks.js';
import { slackInteractions } from './interactions.js';
import type { SlackOptions } from './schema.js';

export { optionsSchema, envOptions, type SlackOptions } from './schema.js';
export { slackSignature, verifySlack } from './signature.js';
export { slackMessage, buttonValue, APPROVE, REJECT } from './blocks.js';

/** The Slack channel: a Block Kit message per event to the app's incoming webhook. */
export function createSlackChannel(opts: SlackOptions, dashboardUrl: string): NotificationChannel {
  return {
    name: 'slack',
    ...(opts.events ? { events: opts.events } : {}),
    send: (d, ctx) => deliverHttp({
      url: opts.webhookUrl, headers: { 'content-type': 'application/json' }, body: JSON.stringify(slackMessage(d, dashboardUrl)),
    }, { signal: ctx.signal, allowPrivate: opts.allowPrivate }),
  };
}

/** Slack: messages with Approve/Reject buttons, and the signed interactions route when a signing secret is set. */
async function notifySlack(app: FastifyInstance, opts: SlackOptions) {
  const log = app.log.child({ plugin: 'notify-slack' }) as unknown as Logger;
  const dashboardUrl = opts.dashboardUrl;
  // The webhook URL's path is its credential.
  app.notifications.scrubber.addSecret(opts.webhookUrl);
  app.notifications.scrubber.addSecret(opts.signingSecret);
  app.notifications.addChannel(createSlackChannel(opts, dashboardUrl));
  if (opts.signingSecret) {
    await app.register(slackInteractions, {
      signingSecret: opts.signingSecret, allowPrivate: opts.allowPrivate, notifications: app.notifications, log,
      timeoutMs: app.notifications.timeoutMs,
    });
  }
}

export default fp(notifySlack, { name: 'notify-slack', fastify: '5.x', dependencies: ['notifications'] });
