/**
 * Fixed-window counters keyed by a string (an address, a key id). Small and in-process: one
 * Aegis server is one process, and the windows only need to be roughly fair, not exact.
 */
export class WindowCounter {
  private readonly windows = new Map<string, { start: number; count: number }>();
  private lastSweep: number;

  constructor(private readonly windowMs: number, private readonly now: () => number = Date.now) {
    this.lastSweep = now();
  }

  /** Counts one hit for `key` and returns the count in its current window. */
  hit(key: string): number {
    const w = this.current(key) ?? { start: this.now(), count: 0 };
    w.count++;
    this.windows.set(key, w);
    return w.count;
  }

  /** Hits of `key` in its current window. */
  count(key: string): number {
    return this.current(key)?.count ?? 0;
  }

  /** Whole seconds until `key`'s window ends (at least 1). */
  retryAfterSeconds(key: string): number {
    const w = this.current(key);
    const left = w ? w.start + this.windowMs - this.now() : this.windowMs;
    return Math.max(1, Math.ceil(left / 1000));
  }

  /** When `key`'s current window ends. */
  windowEnd(key: string): number {
    return (this.current(key)?.start ?? this.now()) + this.windowMs;
  }

  private current(key: string): { start: number; count: number } | undefined {
    const now = this.now();
    // Ended windows are dropped once per window length, so addresses that come once do not pile up.
    if (now - this.lastSweep >= this.windowMs) {
      for (const [k, w] of this.windows) if (now - w.start >= this.windowMs) this.windows.delete(k);
      this.lastSweep = now;
    }
    const w = this.windows.get(key);
    if (w && now - w.start >= this.windowMs) {
      this.windows.delete(key);
      return undefined;
    }
    return w;
  }
}
