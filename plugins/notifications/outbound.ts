import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { traceHeaders } from '../../kernel/index.js';
import { isPrivateAddress } from './address.js';
import type { SendOutcome } from './channel.js';

/** One outbound HTTP request. */
export interface OutboundRequest {
  url: string;
  method?: 'POST' | 'PATCH' | 'PUT';
  headers?: Record<string, string>;
  body?: string;
}

/** What came back: status, headers and at most `MAX_BODY` bytes of body. */
export interface OutboundResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** How a request may go out. */
export interface OutboundPolicy {
  signal?: AbortSignal;
  /** Allows private, loopback and link-local targets (tests, on-premises receivers). */
  allowPrivate?: boolean;
  /** When set, the URL's host must be one of these (or a subdomain of one); plain http is refused. */
  allowedHosts?: readonly string[];
}

/** A target refused before any byte was sent: its address is private, or its host or scheme not allowed. */
export class AddressRefused extends Error {
  readonly code = 'AEGIS_ERR_NOTIFY_ADDRESS_REFUSED';
  override readonly name = 'AddressRefused';
}

const MAX_BODY = 64 * 1024;

/**
 * Resolves the host and refuses when any of its addresses is not public. It runs as the socket's
 * own lookup, so the address checked is the address connected to (no rebinding between the two).
 */
function guardedLookup(host: string): LookupFunction {
  return ((hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err);
      if (!addresses.length || addresses.some((a) => isPrivateAddress(a.address))) {
        return callback(new AddressRefused(`${host} resolves to a private, loopback or link-local address`));
      }
      if (options.all) callback(null, addresses);
      else callback(null, addresses[0].address, addresses[0].family);
    });
  }) as unknown as LookupFunction;
}

// Separate pools, so a socket opened under allowPrivate is never reused by a channel without it.
const agents = {
  open: { http: new HttpAgent({ keepAlive: true, maxSockets: 32 }), https: new HttpsAgent({ keepAlive: true, maxSockets: 32 }) },
  guarded: { http: new HttpAgent({ keepAlive: true, maxSockets: 32 }), https: new HttpsAgent({ keepAlive: true, maxSockets: 32 }) },
};

/** Checks scheme, host list and literal addresses; throws AddressRefused. */
export function checkTarget(url: URL, policy: OutboundPolicy): void {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new AddressRefused(`scheme ${url.protocol} is not allowed`);
  if (policy.allowPrivate) return;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (policy.allowedHosts) {
    if (url.protocol !== 'https:') throw new AddressRefused(`${host} must be reached over https`);
    if (!policy.allowedHosts.some((h) => host === h || host.endsWith('.' + h))) throw new AddressRefused(`${host} is not an allowed host`);
  }
  if (isIP(host) && isPrivateAddress(host)) throw new AddressRefused(`${host} is a private, loopback or link-local address`);
}

/** Sends one request under `policy`; never follows redirects. Rejects on network errors and refusals. */
export function send(req: OutboundRequest, policy: OutboundPolicy = {}): Promise<OutboundResponse> {
  return new Promise((resolve, reject) => {
    let url: URL;
    try {
      url = new URL(req.url);
      checkTarget(url, policy);
    } catch (err) {
      return reject(err instanceof AddressRefused ? err : new AddressRefused('the target is not a valid URL'));
    }
    const https = url.protocol === 'https:';
    const pool = policy.allowPrivate ? agents.open : agents.guarded;
    const body = req.body === undefined ? undefined : Buffer.from(req.body);
    // The delivery's trace context (W3C traceparent), so the receiver can continue the trace.
    const headers: Record<string, string> = traceHeaders({ ...(req.headers ?? {}) });
    if (body) headers['content-length'] = String(body.length);
    const r = (https ? httpsRequest : httpRequest)(url, {
      method: req.method ?? 'POST', headers, signal: policy.signal,
      agent: https ? pool.https : pool.http,
      ...(policy.allowPrivate ? {} : { lookup: guardedLookup(url.hostname) }),
    }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        if (size < MAX_BODY) chunks.push(c);
        size += c.length;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8').slice(0, MAX_BODY) }));
      res.on('error', reject);
    });
    r.on('error', reject);
    r.end(body);
  });
}

/** Milliseconds from a Retry-After header (seconds or an HTTP date), if it has a usable value. */
export function retryAfterMs(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The usual reading of a response: 2xx ok; 429 rate limited; 408, 425 and 5xx retried; other 4xx permanent. */
export function outcomeOf(res: OutboundResponse): SendOutcome {
  const { status } = res;
  if (status >= 200 && status < 300) return { ok: true, status };
  const retryAfter = retryAfterMs(res.headers['retry-after']);
  if (status === 429) return { ok: false, status, error: 'rate limited (429)', rateLimited: true, retryAfterMs: retryAfter ?? 1000 };
  if (status === 408 || status === 425 || status >= 500) return { ok: false, status, error: `receiver answered ${status}`, retryAfterMs: retryAfter };
  return { ok: false, status, error: `receiver refused with ${status}`, permanent: true };
}

/** Sends and reads the outcome; a refused target is permanent, a network error or timeout is retried. */
export async function deliverHttp(req: OutboundRequest, policy: OutboundPolicy, read: (res: OutboundResponse) => SendOutcome = outcomeOf): Promise<SendOutcome> {
  try {
    return read(await send(req, policy));
  } catch (err) {
    if (err instanceof AddressRefused) return { ok: false, error: err.message, permanent: true };
    if (policy.signal?.aborted) return { ok: false, error: 'timed out' };
    const code = (err as NodeJS.ErrnoException).code;
    return { ok: false, error: `network error${code ? ` ${code}` : ''}` };
  }
}
