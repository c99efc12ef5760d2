import type { AuditEntry } from './log.js';

interface Window { start: number; first: AuditEntry; more: number }

/**
 * Folds repeated failures from one address into one record per window: the first failure of a
 * window is recorded at once (so a single bad login is on disk before its 401), later ones are
 * counted, and when the window ends one `<action>.repeated` record carries the count. A flood of
 * failures therefore grows the log by two records per address and window, not one per request.
 */
export class FailureAggregator {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly windowMs: number, private readonly write: (e: AuditEntry) => void, private readonly now: () => number = Date.now) {}

  /** Takes one failure of `key` (an address); records it or counts it. */
  add(key: string, entry: AuditEntry): void {
    const now = this.now();
    const w = this.windows.get(key);
    if (w && now - w.start < this.windowMs) { w.more++; return; }
    if (w) this.close(key, w);
    this.windows.set(key, { start: now, first: entry, more: 0 });
    this.write(entry);
  }

  /** Closes the windows that have ended (or all of them, at shutdown), writing their counts. */
  flush(all = false): void {
    const now = this.now();
    for (const [key, w] of this.windows) if (all || now - w.start >= this.windowMs) this.close(key, w);
  }

  private close(key: string, w: Window): void {
    this.windows.delete(key);
    if (w.more === 0) return;
    this.write({
      actor: w.first.actor, tenantId: w.first.tenantId ?? null, action: `${w.first.action}.repeated`,
      detail: { ip: key, count: w.more, from: new Date(w.start).toISOString(), windowMs: this.windowMs },
    });
  }
}
