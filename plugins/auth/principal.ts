/** Who made a request. The master token is `admin` of no tenant; API keys carry their own role and tenant. */
export interface Principal {
  /** `master` for the master token, the API key id, or `<channel>:<user id>` for a person acting from a channel's button. */
  id: string;
  /** `channel`: a person acting through a signed Slack/Discord interaction, never a request with a token. */
  kind: 'master' | 'key' | 'channel';
  role: 'admin' | 'operator' | 'viewer';
  /** The tenant the principal belongs to; undefined for the master token and global keys. */
  tenantId?: string;
  /** Extra permissions beyond the role's. */
  permissions?: string[];
  /** The key's human name, for logs and the audit trail. */
  name?: string;
  /** Requests per minute this key may make; undefined = unlimited. */
  rateLimit?: number;
  /** Live sessions this key may have at once; undefined = no per-key limit. */
  maxSessions?: number;
}

/** Resolves a presented token to a principal, or null. Registered with `app.auth.addVerifier`. */
export type TokenVerifier = (token: string) => Principal | null | Promise<Principal | null>;

/** The bearer token of an Authorization header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1];
}
