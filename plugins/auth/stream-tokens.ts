import { createHash, randomBytes } from 'node:crypto';
import type { Principal } from './principal.js';

/** The streams a stream token opens: the event stream and the terminal (WebSocket) stream. */
export const STREAM_KINDS = ['events', 'terminal'] as const;
export type StreamKind = (typeof STREAM_KINDS)[number];

/** Every stream token starts with this, so a leaked one is recognisable and never mistaken for a key. */
export const STREAM_TOKEN_PREFIX = 'aegis_st_';

interface Issued {
  principal: Principal;
  expiresAt: number;
}

const hash = (token: string) => createHash('sha256').update(token).digest('base64url');

/**
 * Short-lived tokens for the one place a browser cannot send a header: the URL of an EventSource
 * or WebSocket. A token is random, kept only as its hash, bound to the principal (and so tenant)
 * that asked for it, valid for `ttlMs` from issue, and accepted only on stream routes. It is
 * checked again each time a stream opens with it, so a revoked key's tokens stop at once.
 */
export class StreamTokens {
  private readonly issued = new Map<string, Issued>();

  constructor(private readonly ttlMs: number, private readonly now: () => number = Date.now) {}

  issue(principal: Principal): { token: string; expiresAt: string } {
    this.sweep();
    const token = STREAM_TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const expiresAt = this.now() + this.ttlMs;
    this.issued.set(hash(token), { principal: { ...principal }, expiresAt });
    return { token, expiresAt: new Date(expiresAt).toISOString() };
  }

  /** The principal a live token was issued to, or null (unknown or expired). */
  verify(token: string): Principal | null {
    if (!token.startsWith(STREAM_TOKEN_PREFIX)) return null;
    const entry = this.issued.get(hash(token));
    if (!entry) return null;
    if (entry.expiresAt <= this.now()) { this.issued.delete(hash(token)); return null; }
    return { ...entry.principal };
  }

  /** How many tokens are outstanding (for tests and metrics). */
  get size(): number {
    return this.issued.size;
  }

  private sweep(): void {
    const now = this.now();
    for (const [k, v] of this.issued) if (v.expiresAt <= now) this.issued.delete(k);
  }
}
