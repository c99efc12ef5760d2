/** What replaces a secret in everything that leaves the machine. */
export const MASK = '[REDACTED]';

/** Shorter known values are not masked: masking `1` or `true` everywhere would wreck payloads and protect nothing. */
export const MIN_SECRET_LENGTH = 8;

/**
 * Credential shapes masked wherever they appear, known or not. Order matters: the more specific
 * shapes (Anthropic before OpenAI) come first.
 */
const SHAPES: ReadonlyArray<readonly [RegExp, string | ((m: string, ...g: string[]) => string)]> = [
  [/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g, MASK],
  [/sk-ant-[A-Za-z0-9_-]{8,}/g, MASK],
  [/\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}/g, MASK],
  [/\bgh[pousr]_[A-Za-z0-9]{20,}/g, MASK],
  [/\bgithub_pat_[A-Za-z0-9_]{20,}/g, MASK],
  [/\bxox[abposre]-[A-Za-z0-9-]{10,}/g, MASK],
  [/\bxapp-[A-Za-z0-9-]{10,}/g, MASK],
  [/\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, MASK],
  [/(aws_secret_access_key["']?\s*[:=]\s*["']?)[A-Za-z0-9/+]{40}/gi, (_m, lead) => lead + MASK],
  [/\baegis_[0-9a-f]{16}_[A-Za-z0-9_-]{43}/g, MASK],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9\-._~+/]{8,}=*/gi, (_m, scheme) => `${scheme} ${MASK}`],
  // Credentials in URLs (https://user:password@host).
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^\s:@/]+:[^\s@/]+@/gi, (_m, scheme) => `${scheme}${MASK}@`],
];

/** Where the values of a session's env come from (the sessions registry). */
export type EnvLookup = (sessionId: string) => Readonly<Record<string, string>> | undefined;

/**
 * The one outbound scrubber: every payload that leaves the machine (channels, exports) passes it.
 * It masks the server's own secrets (registered with `addSecret`), the values of the session's
 * env, and common credential shapes (Anthropic, OpenAI, GitHub, Slack, AWS, Aegis keys, bearer
 * and basic headers, private key blocks, passwords in URLs).
 */
export class Scrubber {
  private readonly secrets = new Set<string>();

  constructor(private readonly envOf: EnvLookup = () => undefined) {}

  /** Registers a value that must never leave the machine (tokens, signing secrets, keys). */
  addSecret(value: string | undefined): void {
    if (value && value.length >= MIN_SECRET_LENGTH) this.secrets.add(value);
  }

  /** Masks one string; `extra` are further known values (the session's env). */
  string(text: string, extra: readonly string[] = []): string {
    return this.mask(text, this.known(extra));
  }

  /** The known values, longest first, so a value containing another is masked whole. */
  private known(extra: readonly string[]): string[] {
    return [...this.secrets, ...extra.filter((v) => v.length >= MIN_SECRET_LENGTH)].sort((a, b) => b.length - a.length);
  }

  private mask(text: string, known: readonly string[]): string {
    let out = text;
    for (const value of known) if (out.includes(value)) out = out.split(value).join(MASK);
    for (const [re, by] of SHAPES) out = out.replace(re, by as string);
    return out;
  }

  /** A deep copy of `value` with every string masked; `sessionId` adds that session's env values. */
  scrub<T>(value: T, sessionId?: string): T {
    const known = this.known(sessionId ? Object.values(this.envOf(sessionId) ?? {}) : []);
    const walk = (v: unknown, depth: number): unknown => {
      if (typeof v === 'string') return this.mask(v, known);
      if (v === null || typeof v !== 'object') return v;
      // Nothing legitimate nests this deep; an unscrubbed remainder must not slip through.
      if (depth > 32) return MASK;
      if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x, depth + 1);
      return out;
    };
    return walk(value, 0) as T;
  }
}
