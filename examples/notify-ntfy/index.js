import fp from 'fastify-plugin';
import { Type } from '@sinclair/typebox';

/**
 * A third-party channel: each event as a plain-text ntfy push (https://ntfy.sh/<topic>).
 * Enable it by path in the config's `plugins:` map:
 *
 *   plugins:
 *     ./examples/notify-ntfy/index.js: { url: https://ntfy.sh/my-topic, events: ['permission.*'] }
 */
export const optionsSchema = Type.Object({
  url: Type.String({ pattern: '^https?://' }),
  events: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
  allowPrivate: Type.Boolean({ default: false }),
}, { additionalProperties: false });

/** One line per event; the payload has already passed Aegis's outbound scrubber. */
function text(d) {
  const what = d.data.permission?.detail ?? d.data.question?.question ?? d.data.to ?? d.data.reason ?? '';
  return `${d.session?.name ?? d.sessionId ?? 'aegis'}: ${what}`.slice(0, 4000);
}

async function ntfy(app, opts) {
  app.notifications.addChannel({
    name: 'ntfy',
    events: opts.events,
    // app.notifications.http refuses private addresses (unless allowPrivate) and reads retries, 429s and 4xx.
    send: (d, ctx) => app.notifications.http({
      url: opts.url,
      headers: { 'content-type': 'text/plain', title: d.type, tags: d.type.split('.')[0], 'x-delivery': d.deliveryId },
      body: text(d),
    }, { signal: ctx.signal, allowPrivate: opts.allowPrivate }),
  });
}

export default fp(ntfy, { name: 'notify-ntfy', fastify: '5.x', dependencies: ['notifications'] });
