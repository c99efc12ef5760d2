import { readdir, readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { atomicWrite, atomicWriteJson } from '../../kernel/index.js';
import type { SessionRecord } from './types.js';

const ID = /^[A-Za-z0-9-]{1,64}$/;
/** Record files read at once while loading. */
const LOAD_CONCURRENCY = 64;

/**
 * The on-disk layout of the sessions folder: `<id>.json` (the record, atomic), `<id>.transcript.jsonl`
 * (append-only), `<id>.secret` (the hook secret, 0600, never in the record) and `<id>/` (driver files).
 */
export class SessionFiles {
  constructor(readonly root: string) {}

  record(id: string): string { return join(this.root, `${id}.json`); }
  transcript(id: string): string { return join(this.root, `${id}.transcript.jsonl`); }
  secret(id: string): string { return join(this.root, `${id}.secret`); }
  dir(id: string): string { return join(this.root, id); }

  /** Creates and stores a new random hook secret for a session. */
  async newSecret(id: string): Promise<string> {
    const secret = SessionFiles.makeSecret();
    await this.saveSecret(id, secret);
    return secret;
  }

  /** A new random hook secret, not stored yet. */
  static makeSecret(): string {
    return randomBytes(32).toString('base64url');
  }

  /** Stores a session's hook secret (atomic, 0600). */
  saveSecret(id: string, secret: string): Promise<void> {
    return atomicWrite(this.secret(id), secret + '\n', 0o600);
  }

  /** The stored hook secret, or a new one when the file is missing (a record from an older layout). */
  async loadSecret(id: string): Promise<string> {
    try {
      const s = (await readFile(this.secret(id), 'utf8')).trim();
      if (s.length >= 32) return s;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    return this.newSecret(id);
  }

  /**
   * Every readable record in the folder. A file that cannot be parsed is logged and left where it
   * is, for a human to look at; it is never deleted.
   */
  async loadAll(log: Logger): Promise<SessionRecord[]> {
    const names = (await readdir(this.root).catch(() => [] as string[])).filter((n) => ID.test(n.replace(/\.json$/, '')) && n.endsWith('.json'));
    const out: SessionRecord[] = [];
    const readOne = async (name: string) => {
      const id = name.slice(0, -'.json'.length);
      try {
        const rec = JSON.parse(await readFile(join(this.root, name), 'utf8')) as SessionRecord;
        if (rec.id !== id) throw new Error(`id ${rec.id} does not match the file name`);
        out.push(rec);
      } catch (err) {
        log.error({ err, file: name }, 'session record unreadable; left in place and skipped');
      }
    };
    // Many reads in flight at once: a boot with thousands of ended sessions on disk stays short.
    for (let i = 0; i < names.length; i += LOAD_CONCURRENCY) await Promise.all(names.slice(i, i + LOAD_CONCURRENCY).map(readOne));
    return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }
}

/**
 * Persists one record with coalescing: a write starts at once; changes made while it runs collapse
 * into one more write of the latest state after it. So bursts cost at most two writes, and the
 * last state always reaches the disk. `snapshot` may return the live record: it is serialised
 * synchronously when each write starts, before anything else can change it.
 */
export class RecordWriter {
  private running: Promise<void> | undefined;
  /** Saves asked for so far, and how many of them the last finished write included. */
  private requested = 0;
  private written = 0;
  private waiters: Array<{ upTo: number; resolve: () => void }> = [];

  constructor(
    private readonly file: string, private readonly snapshot: () => SessionRecord, private readonly log: Logger,
    /** The durable write (tests hold it to reach an exact interleaving). */
    private readonly write: (file: string, value: unknown) => Promise<void> = atomicWriteJson,
  ) {}

  /** Schedules a write; resolves once a write that includes the current state has finished. */
  save(): Promise<void> {
    this.requested++;
    // A running loop sees the new request before it stops and writes once more with the latest state.
    if (!this.running) this.running = this.loop();
    return this.saved();
  }

  /**
   * Resolves once the state of the last `save()` is on disk, without asking for another write:
   * later saves (in flight meanwhile) are not waited for.
   */
  saved(): Promise<void> {
    if (this.written >= this.requested) return Promise.resolve();
    const upTo = this.requested;
    return new Promise((resolve) => { this.waiters.push({ upTo, resolve }); });
  }

  /** Resolves when no write is pending. */
  async flush(): Promise<void> {
    while (this.running) await this.running;
  }

  private async loop(): Promise<void> {
    try {
      while (this.written < this.requested) {
        const upTo = this.requested;
        try {
          await this.write(this.file, this.snapshot());
        } catch (err) {
          this.log.error({ err, file: this.file }, 'session record write failed');
        }
        this.written = upTo;
        const waiting = this.waiters;
        this.waiters = waiting.filter((w) => w.upTo > upTo);
        for (const w of waiting) if (w.upTo <= upTo) w.resolve();
      }
    } finally {
      // Cleared in the same turn as the last look at `requested`: a save() after it starts a new
      // loop instead of joining one that has already decided to stop.
      this.running = undefined;
    }
  }
}
