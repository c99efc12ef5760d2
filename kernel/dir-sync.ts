import { open } from 'node:fs/promises';

/** Fsyncs a directory so a rename or a new file in it survives a crash. */
export async function fsyncDirOnce(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try { await fh.sync(); } finally { await fh.close(); }
}

interface Waiter { resolve: () => void; reject: (err: unknown) => void }

/**
 * Group commit for directory fsyncs. A directory fsync makes durable every entry change made in
 * that directory before it started, so callers that ask while one runs cannot share it (their
 * rename may have come after it began) but can all share the next one: per directory at most one
 * fsync runs and at most one more is queued, however many writers ask. Each caller's promise
 * settles with the fsync that covers it, and a failed fsync rejects every caller it covered.
 */
export class DirSyncer {
  private readonly dirs = new Map<string, { queued: Waiter[] }>();

  /** @param fsync the real directory fsync; tests pass one that counts or fails. */
  constructor(private readonly fsync: (dir: string) => Promise<void> = fsyncDirOnce) {}

  /** Resolves once an fsync of `dir` that began after this call has finished. */
  sync(dir: string): Promise<void> {
    const known = this.dirs.get(dir);
    const state = known ?? { queued: [] };
    if (!known) this.dirs.set(dir, state);
    const p = new Promise<void>((resolve, reject) => { state.queued.push({ resolve, reject }); });
    // No drain yet: this caller starts one, and its fsync is issued before this call returns.
    if (!known) void this.drain(dir, state);
    return p;
  }

  /** Callers of `dir` waiting for an fsync that has not started yet. */
  waiting(dir: string): number {
    return this.dirs.get(dir)?.queued.length ?? 0;
  }

  private async drain(dir: string, state: { queued: Waiter[] }): Promise<void> {
    while (state.queued.length) {
      // Taken synchronously just before the fsync is issued: everyone in it asked after their change.
      const batch = state.queued.splice(0);
      try {
        await this.fsync(dir);
        for (const w of batch) w.resolve();
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
    }
    this.dirs.delete(dir);
  }
}

/** The process-wide syncer every atomic write in the state directory goes through. */
export const dirSyncer = new DirSyncer();
