/**
 * Failed terminal authentications per address in a fixed window. The terminal route skips the
 * HTTP guard (its token comes in-band), so it keeps its own count: an address that presented
 * `limit` bad tokens is refused at once until its window ends, as the guard does for HTTP.
 */
export class FailureWindow {
  private readonly hits = new Map<string, { count: number; until: number }>();

  constructor(private readonly limit: number, private readonly windowMs: number, private readonly now: () => number = Date.now) {}

  /** Whether this address is over its limit now. */
  blocked(ip: string): boolean {
    const h = this.current(ip);
    return h !== undefined && h.count >= this.limit;
  }

  /** Counts one failure. */
  hit(ip: string): void {
    const h = this.current(ip) ?? { count: 0, until: this.now() + this.windowMs };
    h.count++;
    this.hits.set(ip, h);
    if (this.hits.size > 10_000) this.sweep();
  }

  private current(ip: string) {
    const h = this.hits.get(ip);
    if (h && h.until <= this.now()) { this.hits.delete(ip); return undefined; }
    return h;
  }

  private sweep(): void {
    const now = this.now();
    for (const [ip, h] of this.hits) if (h.until <= now) this.hits.delete(ip);
  }
}
