import { createHmac } from 'node:crypto';
import { safeEqual } from '../../kernel/index.js';
import { SignatureExpired, SignatureInvalid, SignatureMissing } from './errors.js';

/** Slack's replay window. */
export const WINDOW_SECONDS = 300;

/** `v0=<hex HMAC-SHA256(secret, "v0:<ts>:<raw body>")>`, as Slack signs its requests. */
export function slackSignature(secret: string, timestamp: string, rawBody: string): string {
  return 'v0=' + createHmac('sha256', secret).update(`v0:${timestamp}:${rawBody}`).digest('hex');
}

/** Throws a 401 coded error unless the request is Slack's, signed within the window. */
export function verifySlack(secret: string, headers: { signature?: string; timestamp?: string }, rawBody: string, nowSeconds = Date.now() / 1000): void {
  const { signature, timestamp } = headers;
  if (!signature || !timestamp) throw new SignatureMissing();
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(nowSeconds - Number(timestamp)) > WINDOW_SECONDS) throw new SignatureExpired();
  if (!safeEqual(signature, slackSignature(secret, timestamp, rawBody))) throw new SignatureInvalid();
}
