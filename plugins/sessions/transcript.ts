import { readFileSync } from 'node:fs';
import { readFile, truncate } from 'node:fs/promises';
import type { Logger } from 'pino';
import { DurableAppender, parseJsonLines } from '../../kernel/index.js';
import type { TranscriptEntry } from './types.js';

type NewEntry = Omit<TranscriptEntry, 'id' | 'index'> & { id?: string };

/** Parses JSONL, skipping any line that is not a whole entry (a torn last line after a crash). */
export function parseTranscript(text: string): TranscriptEntry[] {
  return parseJsonLines(text).filter((e): e is TranscriptEntry & Record<string, unknown> =>
    typeof e.id === 'string' && typeof e.index === 'number');
}

/**
 * The append-only transcript of one session (`<id>.transcript.jsonl`), for drivers that build it
 * themselves. Ids and indexes are fixed when an entry is appended, so cursors stay valid as it grows.
 * Appends are assigned synchronously and written in order, batched, with fsync.
 */
export class TranscriptLog {
  private count = 0;
  private readonly ids = new Set<string>();
  /** False for a deferred log (an ended session's) until something is appended to it. */
  private loaded = true;
  private queue: string[] = [];
  private writing: Promise<void> | undefined;
  /** Kept open between batches (closed when idle and when the session ends). */
  private readonly out: DurableAppender;

  private constructor(private readonly file: string, private readonly log: Logger) {
    this.out = new DurableAppender(file);
  }

  /** Opens the log; a torn last line (no newline) is cut off first, so new lines start clean. */
  static async open(file: string, log: Logger): Promise<TranscriptLog> {
    const t = new TranscriptLog(file, log);
    let text = '';
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (text && !text.endsWith('\n')) {
      const keep = text.lastIndexOf('\n') + 1;
      log.warn({ file, dropped: text.length - keep }, 'transcript had a torn last line; cut it off');
      await truncate(file, Buffer.byteLength(text.slice(0, keep)));
      text = text.slice(0, keep);
    }
    for (const e of parseTranscript(text)) {
      t.ids.add(e.id);
      t.count = Math.max(t.count, e.index + 1);
    }
    return t;
  }

  /**
   * A log whose ids are only read if something is ever appended: an ended session's transcript
   * is only read by requests, so thousands of them on disk cost nothing at boot.
   */
  static deferred(file: string, log: Logger): TranscriptLog {
    const t = new TranscriptLog(file, log);
    t.loaded = false;
    return t;
  }

  /** Number of entries. */
  get length(): number {
    this.load();
    return this.count;
  }

  private load(): void {
    if (this.loaded) return;
    this.loaded = true;
    let text = '';
    try { text = readFileSync(this.file, 'utf8'); } catch (err) { if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err; }
    for (const e of parseTranscript(text)) {
      this.ids.add(e.id);
      this.count = Math.max(this.count, e.index + 1);
    }
  }

  /** Assigns ids and indexes and queues the entries; an entry whose given id exists is skipped. */
  append(entries: NewEntry[]): TranscriptEntry[] {
    this.load();
    const added: TranscriptEntry[] = [];
    for (const e of entries) {
      if (e.id !== undefined && this.ids.has(e.id)) continue;
      const index = this.count++;
      const entry: TranscriptEntry = { ...e, id: e.id ?? `t-${index}`, index, at: e.at ?? new Date().toISOString() };
      this.ids.add(entry.id);
      this.queue.push(JSON.stringify(entry));
      added.push(entry);
    }
    if (added.length) this.kick();
    return added;
  }

  /** Resolves when every appended entry is on disk. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  /** Waits for queued entries, then lets go of the open file (a later append opens it again). */
  async close(): Promise<void> {
    await this.flush();
    await this.out.close();
  }

  /** All entries, in order. */
  async read(): Promise<TranscriptEntry[]> {
    await this.flush();
    try {
      return parseTranscript(await readFile(this.file, 'utf8'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }

  private kick(): void {
    if (this.writing) return;
    this.writing = (async () => {
      while (this.queue.length) {
        const batch = this.queue.splice(0);
        try {
          await this.out.append(batch.join('\n') + '\n');
        } catch (err) {
          this.log.error({ err, file: this.file, lost: batch.length }, 'transcript append failed');
        }
      }
    })().finally(() => { this.writing = undefined; });
  }
}

/** Offset page with an optional role filter; `total` counts after filtering. */
export function pageByOffset(entries: TranscriptEntry[], limit: number, offset: number, role?: TranscriptEntry['role']) {
  const filtered = role ? entries.filter((e) => e.role === role) : entries;
  return { entries: filtered.slice(offset, offset + limit), total: filtered.length, limit, offset };
}

/**
 * The `limit` entries just before `beforeId` (the newest when absent), in order. Returns undefined
 * for an unknown id. `before` is the id to pass for the page further back.
 */
export function pageBefore(entries: TranscriptEntry[], limit: number, beforeId?: string) {
  let end = entries.length;
  if (beforeId !== undefined) {
    end = entries.findIndex((e) => e.id === beforeId);
    if (end < 0) return undefined;
  }
  const start = Math.max(0, end - limit);
  const page = entries.slice(start, end);
  return { entries: page, hasMore: start > 0, before: start > 0 ? page[0]?.id : undefined };
}
