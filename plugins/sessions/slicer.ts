import { performance } from 'node:perf_hooks';

/**
 * Runs queued jobs on the main thread in slices of at most `budgetMs`, yielding to I/O and timers
 * between slices. A burst (200 sessions created or ended at once) costs the same CPU, but no single
 * turn of the event loop holds every request and event back for all of it.
 */
export class Slicer {
  private queue: Array<() => void> = [];
  private scheduled = false;

  constructor(private readonly budgetMs: number) {}

  /** Runs `fn` in a later slice; resolves (or rejects) with its result. */
  run<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push(() => {
        try { resolve(fn()); } catch (err) { reject(err); }
      });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.drain());
  }

  private drain(): void {
    this.scheduled = false;
    const end = performance.now() + this.budgetMs;
    while (this.queue.length) {
      this.queue.shift()!();
      if (performance.now() >= end) break;
    }
    if (this.queue.length) this.schedule();
  }
}
