import { open, readFile, type FileHandle } from 'node:fs/promises';
import type { Logger } from 'pino';
import { atomicWrite, parseJsonLines } from '../../kernel/index.js';
import type { Delivery } from './channel.js';

/** One delivery the outbox holds: pending until delivered, or dead-lettered. */
export interface OutboxEntry {
  channel: string;
  delivery: Delivery;
  state: 'pending' | 'dead';
  /** Attempts made so far (reset by a redelivery). */
  attempts: number;
  acceptedAt: string;
  lastError?: string;
  lastStatus?: number;
  deadAt?: string;
  /** Why it was dead-lettered: `attempts`, `permanent`, `channel-unknown`. */
  reason?: string;
}

type Op =
  | { op: 'add'; entry: OutboxEntry }
  | { op: 'try'; id: string; attempts: number; error?: string; status?: number }
  | { op: 'done'; id: string }
  | { op: 'dead'; id: string; attempts: number; reason: string; at: string; error?: string; status?: number }
  | { op: 'revive'; id: string };

/**
 * The durable outbox: an append-only JSON-lines log in the state directory. A delivery is written
 * and fsynced before its first attempt, so it survives a crash at any instant; what happens to it
 * after (attempts, delivered, dead-lettered) is appended too. Writes that arrive while one is in
 * flight go out together (one write, one fsync). The file is rewritten (atomically) from the live
 * entries on open, which also drops a line torn by a crash, and whenever dead lines dominate it.
 */
export class Outbox {
  private readonly entries = new Map<string, OutboxEntry>();
  private queue: Array<{ line: string; resolve: () => void; reject: (e: unknown) => void }> = [];
  private writing: Promise<void> | undefined;
  private fh: FileHandle | undefined;
  private garbage = 0;

  private constructor(private readonly file: string, private readonly deadLimit: number, private readonly log?: Logger) {}

  /** Opens (and compacts) the outbox at `file`. */
  static async open(file: string, opts: { deadLetterLimit: number; log?: Logger }): Promise<Outbox> {
    const box = new Outbox(file, opts.deadLetterLimit, opts.log);
    let text = '';
    try { text = await readFile(file, 'utf8'); } catch (err) { if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err; }
    for (const op of parseJsonLines(text) as unknown as Op[]) box.apply(op);
    await box.compact();
    return box;
  }

  /** Every pending entry, oldest first. */
  pending(): OutboxEntry[] { return [...this.entries.values()].filter((e) => e.state === 'pending'); }
  /** Every dead-lettered entry, oldest first. */
  dead(): OutboxEntry[] { return [...this.entries.values()].filter((e) => e.state === 'dead'); }
  get(id: string): OutboxEntry | undefined { return this.entries.get(id); }
  get size(): number { return this.entries.size; }

  /** Persists new deliveries; resolves once they are durable. */
  add(entries: OutboxEntry[]): Promise<void> {
    return this.write(entries.map((entry) => ({ op: 'add', entry }) as const));
  }

  attempted(id: string, attempts: number, error?: string, status?: number): Promise<void> {
    return this.write([{ op: 'try', id, attempts, ...(error ? { error } : {}), ...(status ? { status } : {}) }]);
  }

  delivered(id: string): Promise<void> { return this.write([{ op: 'done', id }]); }

  deadLettered(id: string, reason: string, attempts: number, error?: string, status?: number): Promise<void> {
    return this.write([{ op: 'dead', id, reason, attempts, at: new Date().toISOString(), ...(error ? { error } : {}), ...(status ? { status } : {}) }]);
  }

  /** Moves a dead-lettered entry back to pending with its attempts reset. */
  revive(id: string): Promise<void> { return this.write([{ op: 'revive', id }]); }

  /** Waits for queued writes and closes the file. */
  async close(): Promise<void> {
    while (this.writing) await this.writing;
    await this.fh?.close();
    this.fh = undefined;
  }

  private apply(op: Op): void {
    switch (op.op) {
      case 'add': if (op.entry?.delivery?.deliveryId) this.entries.set(op.entry.delivery.deliveryId, op.entry); break;
      case 'try': { const e = this.entries.get(op.id); if (e) { e.attempts = op.attempts; e.lastError = op.error; e.lastStatus = op.status; } this.garbage++; break; }
      case 'done': if (this.entries.delete(op.id)) this.garbage++; this.garbage++; break;
      case 'dead': {
        const e = this.entries.get(op.id);
        if (e) Object.assign(e, { state: 'dead', reason: op.reason, attempts: op.attempts, deadAt: op.at, lastError: op.error, lastStatus: op.status });
        break;
      }
      case 'revive': { const e = this.entries.get(op.id); if (e) { e.state = 'pending'; e.attempts = 0; delete e.reason; delete e.deadAt; } this.garbage++; break; }
    }
  }

  private write(ops: Op[]): Promise<void> {
    for (const op of ops) this.apply(op);
    const line = ops.map((op) => JSON.stringify(op)).join('\n') + '\n';
    const done = new Promise<void>((resolve, reject) => this.queue.push({ line, resolve, reject }));
    this.kick();
    return done;
  }

  /** Starts the writer unless it runs; a batch queued while it was finishing starts it again. */
  private kick(): void {
    if (this.writing) return;
    this.writing = this.flush().finally(() => {
      this.writing = undefined;
      if (this.queue.length) this.kick();
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length) {
      const batch = this.queue;
      this.queue = [];
      try {
        this.fh ??= await open(this.file, 'a', 0o600);
        await this.fh.write(batch.map((b) => b.line).join(''));
        await this.fh.sync();
        for (const b of batch) b.resolve();
      } catch (err) {
        for (const b of batch) b.reject(err);
      }
      if (this.garbage > Math.max(1000, this.entries.size * 2)) {
        await this.compact().catch((err) => this.log?.error({ err }, 'notifications: outbox compaction failed'));
      }
    }
  }

  /** Rewrites the file from the live entries (atomic rename), evicting the oldest dead letters past the limit. */
  private async compact(): Promise<void> {
    const dead = this.dead();
    if (dead.length > this.deadLimit) {
      const drop = dead.slice(0, dead.length - this.deadLimit);
      for (const e of drop) this.entries.delete(e.delivery.deliveryId);
      this.log?.warn({ dropped: drop.length }, 'notifications: dead-letter queue over its limit; the oldest entries were dropped');
    }
    const text = [...this.entries.values()].map((entry) => JSON.stringify({ op: 'add', entry } satisfies Op)).join('\n');
    await this.fh?.close();
    this.fh = undefined;
    await atomicWrite(this.file, text ? text + '\n' : '');
    this.garbage = 0;
  }
}
