import { mkdir, open, readdir, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { FILE_PATTERN, fileFor, recordHash, type AuditRecord } from './chain.js';
import { recoverTail } from './tail.js';
import { readHead, writeHead } from './head.js';
import { fsyncDir } from '../../kernel/index.js';

/** What a caller records; the log adds seq, ts and the chain. */
export interface AuditEntry {
  /** Principal id, `anonymous` or `system`. */
  actor: string;
  tenantId?: string | null;
  action: string;
  sessionId?: string;
  detail?: Record<string, unknown>;
}

interface Pending { entry: AuditEntry; resolve: (r: AuditRecord) => void; reject: (e: unknown) => void }

/** Records written per batch at most: one write and one fsync each. */
const MAX_BATCH = 512;

/** The daily files of an audit directory, oldest first. */
export async function auditFiles(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [] as string[])).filter((f) => FILE_PATTERN.test(f)).sort();
}

/** Where the log touches the disk beyond plain writes; tests replace them to count or hold them. */
export interface AuditLogSeams {
  /** Fsyncs the open daily file (default: `fh.sync()`). */
  sync?: (fh: FileHandle) => Promise<void>;
  /** Writes the signed head for a durable position (default: `writeHead` in the log's folder). */
  writeHead?: (pos: { seq: number; hash: string }) => Promise<void>;
}

/**
 * The append-only, hash-chained audit log. Every `record` goes through one queue; records that
 * arrive while a write is in flight are written together (group commit) in one write and one
 * fsync, and each promise resolves only once its line is durable. The file handle is kept
 * open across batches, and a failed write is cut back off, so the file never holds half a batch.
 * The signed head follows the records rather than holding them up: it is written after a batch
 * is durable (so it is never ahead of the log), at most one write at a time, and heads for
 * batches committed meanwhile collapse into one write of the newest position.
 */
export class AuditLog {
  private pending: Pending[] = [];
  private running = false;
  private last: Promise<unknown> = Promise.resolve();
  private fh?: FileHandle;
  private fhName?: string;
  private size = 0;
  private closed = false;
  private headWriting: Promise<void> | undefined;
  private headDirty = false;
  private readonly sync: (fh: FileHandle) => Promise<void>;
  private readonly putHead: (pos: { seq: number; hash: string }) => Promise<void>;
  /** Records accepted so far (durable or not); lets callers tell whether anything was added. */
  accepted = 0;
  /** Records that could not be written, so far; lets callers tell whether any of theirs failed. */
  failed = 0;

  private constructor(
    readonly dir: string, private readonly key: string, private head: { seq: number; hash: string },
    private readonly now: () => Date, private readonly log?: Logger, seams: AuditLogSeams = {},
  ) {
    this.sync = seams.sync ?? ((fh) => fh.sync());
    this.putHead = seams.writeHead ?? (async (pos) => { await writeHead(this.dir, this.key, pos); });
  }

  /**
   * Opens the log in `dir`, repairing a torn tail, and continues the chain from the last intact
   * record. What recovery found is recorded in the chain itself (`audit.recovered`): each
   * quarantined tail, and a log that ends before its signed head (lines lost or garbled while
   * the server was down), which `verify` then reports for good.
   */
  static async open(dir: string, key: string, opts: { now?: () => Date; log?: Logger; seams?: AuditLogSeams } = {}): Promise<AuditLog> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const tail = await recoverTail(dir, await auditFiles(dir), opts.log);
    const signed = await readHead(dir, key);
    const log = new AuditLog(dir, key, { seq: tail.seq, hash: tail.hash }, opts.now ?? (() => new Date()), opts.log, opts.seams);
    for (const m of tail.moved) {
      await log.record({ actor: 'system', action: 'audit.recovered', detail: { reason: 'torn-tail', file: m.file, bytes: m.bytes, quarantine: m.fragment } });
    }
    if (!signed.valid) {
      opts.log?.error('audit: the signed head is not valid under the audit key');
      await log.record({ actor: 'system', action: 'audit.recovered', detail: { reason: 'head-invalid' } });
    } else if (signed.head && signed.head.seq > tail.seq) {
      opts.log?.error({ headSeq: signed.head.seq, lastSeq: tail.seq }, 'audit: the log ends before its signed head; records were lost');
      await log.record({
        actor: 'system', action: 'audit.recovered',
        detail: { reason: 'behind-head', headSeq: signed.head.seq, headHash: signed.head.hash, lastSeq: tail.seq },
      });
    }
    return log;
  }

  /** The last durable record's seq and hash. */
  get position(): { seq: number; hash: string } { return { ...this.head }; }

  /** Appends one record; resolves with it once it is on disk. */
  record(entry: AuditEntry): Promise<AuditRecord> {
    if (this.closed) return Promise.reject(new Error('the audit log is closed'));
    const p = new Promise<AuditRecord>((resolve, reject) => { this.pending.push({ entry, resolve, reject }); });
    this.accepted++;
    this.last = p.catch(() => {});
    if (!this.running) void this.drain();
    return p;
  }

  /** Resolves once every record accepted so far is durable (or failed). Never rejects. */
  idle(): Promise<void> {
    return this.last.then(() => undefined);
  }

  /** Resolves once every record accepted so far is durable and the signed head names the newest. */
  async settled(): Promise<void> {
    await this.idle();
    while (this.headWriting) await this.headWriting;
  }

  /** Waits for queued records and the head, then closes the file. */
  async close(): Promise<void> {
    await this.settled();
    this.closed = true;
    await this.fh?.close();
    this.fh = undefined;
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.pending.length) await this.writeBatch(this.pending.splice(0, MAX_BATCH));
    } finally {
      this.running = false;
    }
  }

  /** Seals records in order into runs of the same daily file and writes each run durably. */
  private async writeBatch(batch: Pending[]): Promise<void> {
    let i = 0;
    while (i < batch.length) {
      let { seq, hash } = this.head;
      const run: Array<{ p: Pending; record: AuditRecord }> = [];
      let name: string | undefined;
      for (; i < batch.length; i++) {
        const ts = this.now().toISOString();
        if (name !== undefined && fileFor(ts) !== name) break;
        name = fileFor(ts);
        const record = this.seal(batch[i].entry, seq + 1, ts, hash);
        run.push({ p: batch[i], record });
        ({ seq, hash } = record);
      }
      try {
        await this.append(name!, run.map((r) => JSON.stringify(r.record) + '\n').join(''));
      } catch (err) {
        this.log?.error({ err, file: name }, 'audit: write failed; the records were not kept');
        const lost = [...run.map((r) => r.p), ...batch.slice(i)];
        this.failed += lost.length;
        for (const p of lost) p.reject(err);
        return;
      }
      this.head = { seq, hash };
      this.scheduleHead();
      for (const r of run) r.p.resolve(r.record);
    }
  }

  /** Starts a head write for the current position, or marks one more for after the running one. */
  private scheduleHead(): void {
    if (this.headWriting) { this.headDirty = true; return; }
    this.headWriting = this.writeHeads();
  }

  private async writeHeads(): Promise<void> {
    try {
      do {
        this.headDirty = false;
        try {
          await this.putHead({ ...this.head });
        } catch (err) {
          // The records are durable; a stale head only makes verify look at fewer of them.
          this.log?.error({ err }, 'audit: the signed head could not be written');
        }
      } while (this.headDirty);
    } finally {
      // Cleared in the same turn as the last look at headDirty, so no request falls between them.
      this.headWriting = undefined;
    }
  }

  private seal(entry: AuditEntry, seq: number, ts: string, prevHash: string): AuditRecord {
    // A JSON round trip makes the hashed detail exactly what a reader will parse back.
    const detail = JSON.parse(JSON.stringify(entry.detail ?? {})) as Record<string, unknown>;
    const body: Omit<AuditRecord, 'hash'> = {
      seq, ts, actor: entry.actor, tenantId: entry.tenantId ?? null, action: entry.action,
      ...(entry.sessionId !== undefined ? { sessionId: entry.sessionId } : {}), detail, prevHash,
    };
    return { ...body, hash: recordHash(this.key, body) };
  }

  private async append(name: string, data: string): Promise<void> {
    if (this.fhName !== name || !this.fh) {
      await this.fh?.close();
      this.fh = undefined;
      const fh = await open(join(this.dir, name), 'a', 0o600);
      this.size = (await fh.stat()).size;
      // A new daily file's directory entry must be durable too, or a power cut could lose the file.
      await fsyncDir(this.dir);
      this.fh = fh;
      this.fhName = name;
    }
    try {
      await this.fh.writeFile(data);
      await this.sync(this.fh);
      this.size += Buffer.byteLength(data);
    } catch (err) {
      await this.fh.truncate(this.size).catch(() => {});
      throw err;
    }
  }
}
