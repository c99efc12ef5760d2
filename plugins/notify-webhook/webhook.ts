import { createHash, createHmac } from 'node:crypto';
import { deliverHttp, type Delivery, type NotificationChannel } from '../notifications/index.js';
import type { WebhookEndpoint } from './schema.js';

/** Headers Aegis sets itself; configured extra headers may not replace them. */
const RESERVED = new Set(['content-type', 'content-length', 'host', 'x-aegis-signature', 'x-aegis-event', 'x-aegis-delivery', 'traceparent', 'tracestate']);

/** `t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`. */
export function signature(secret: string, body: string, unixSeconds: number): string {
  return `t=${unixSeconds},v1=${createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex')}`;
}

/**
 * The channel name of an endpoint: its host and a hash of its URL, so pending deliveries follow
 * the URL they were made for when the list is reordered (a changed URL is a new channel; what was
 * pending for the old one goes to the dead-letter queue).
 */
export function webhookChannelName(url: string): string {
  return `webhook:${new URL(url).host}-${createHash('sha256').update(url).digest('hex').slice(0, 8)}`;
}

/** The JSON body every webhook receives. */
export function webhookBody(d: Delivery): string {
  return JSON.stringify({ id: d.deliveryId, type: d.type, at: d.at, sessionId: d.sessionId ?? null, tenantId: d.tenantId ?? null, data: d.data });
}

/**
 * A channel for one endpoint: a signed JSON POST per event. The delivery id is the body's `id`
 * and `X-Aegis-Delivery`, the same on every retry, so a receiver can drop duplicates; the
 * signature is made afresh per attempt (its time is the attempt's).
 */
export function createWebhookChannel(endpoint: WebhookEndpoint, allowPrivate: boolean): NotificationChannel {
  const extra = Object.fromEntries(Object.entries(endpoint.headers ?? {}).filter(([k]) => !RESERVED.has(k.toLowerCase())));
  return {
    name: webhookChannelName(endpoint.url),
    ...(endpoint.events ? { events: endpoint.events } : {}),
    send(d, ctx) {
      const body = webhookBody(d);
      return deliverHttp({
        url: endpoint.url,
        headers: {
          ...extra,
          'content-type': 'application/json',
          'user-agent': 'Aegis-Webhook/1',
          'x-aegis-event': d.type,
          'x-aegis-delivery': d.deliveryId,
          'x-aegis-signature': signature(endpoint.secret, body, Math.floor(Date.now() / 1000)),
        },
        body,
      }, { signal: ctx.signal, allowPrivate });
    },
  };
}
