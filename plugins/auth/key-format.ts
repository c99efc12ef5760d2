import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const PREFIX = 'aegis_';
const KEY_FORMAT = /^aegis_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

/** A freshly minted key: the token handed out once, and what is stored of it. */
export interface MintedKey {
  id: string;
  /** `aegis_<id>_<secret>`: shown once, never stored. */
  token: string;
  /** sha256 of the secret, hex. */
  secretHash: string;
}

/**
 * sha256 of the secret. A fast hash is the right tool here: the secret is 256 random bits, so
 * there is nothing to brute-force that a slow hash would protect, and it is checked per request.
 */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** A new secret for key `id` (a new id when none is given). */
export function mintKey(id = randomBytes(8).toString('hex')): MintedKey {
  const secret = randomBytes(32).toString('base64url');
  return { id, token: `${PREFIX}${id}_${secret}`, secretHash: hashSecret(secret) };
}

/** Splits a presented token into key id and secret, or undefined when it is not key-shaped. */
export function parseKey(token: string): { id: string; secret: string } | undefined {
  const m = KEY_FORMAT.exec(token);
  return m ? { id: m[1], secret: m[2] } : undefined;
}

/** Whether `secret` hashes to `expectedHash`, compared in constant time. */
export function secretMatches(secret: string, expectedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), 'hex');
  const b = Buffer.from(expectedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
