import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { SignatureExpired, SignatureInvalid, SignatureMissing } from './errors.js';

/** Replay window for the signed timestamp. */
export const WINDOW_SECONDS = 300;

/** The application's raw 32-byte Ed25519 public key (hex) as a key object. */
export function discordKey(hex: string): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(hex, 'hex').toString('base64url') }, format: 'jwk' });
}

/** Throws a 401 coded error unless `X-Signature-Ed25519` verifies over timestamp + raw body. */
export function verifyDiscord(key: KeyObject, headers: { signature?: string; timestamp?: string }, rawBody: string, nowSeconds = Date.now() / 1000): void {
  const { signature, timestamp } = headers;
  if (!signature || !timestamp) throw new SignatureMissing();
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(nowSeconds - Number(timestamp)) > WINDOW_SECONDS) throw new SignatureExpired();
  if (!/^[0-9a-fA-F]{128}$/.test(signature)) throw new SignatureInvalid();
  if (!verify(null, Buffer.from(timestamp + rawBody), key, Buffer.from(signature, 'hex'))) throw new SignatureInvalid();
}
