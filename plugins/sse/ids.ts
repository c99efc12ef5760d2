import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import type { Logger } from 'pino';
import { atomicWriteJson, readJsonIfExists } from '../../kernel/index.js';

interface Mark {
  /** Every id up to this one may have been used; the next run starts above it. */
  reservedThrough: number;
}

/** Writes the mark durably and synchronously (the rare case where an id is needed before the async write landed). */
function writeMarkSync(file: string, mark: Mark): void {
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, JSON.stringify(mark));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

/**
 * Event ids that rise for the life of the state directory, across restarts and crashes. Ids are
 * handed out from blocks reserved on disk ahead of use: the file records the end of the reserved
 * block, and a new run starts above it. A crash wastes at most one block of ids, never repeats
 * one. The next block is reserved in the background when half of the current one is used.
 */
export class EventIds {
  private last: number;
  private persisted: number;
  private pending: Promise<void> | undefined;

  private constructor(private readonly file: string, private readonly block: number, start: number, private readonly log: Logger) {
    this.last = start;
    this.persisted = start;
  }

  static async open(file: string, block: number, log: Logger): Promise<EventIds> {
    const mark = await readJsonIfExists<Mark>(file).catch((err) => {
      // An unreadable mark must not stop the server; ids then restart from the clock, which is above any old one.
      log.warn({ err, file }, 'event id mark unreadable; starting ids from the clock');
      return { reservedThrough: Date.now() };
    });
    const start = Number.isSafeInteger(mark?.reservedThrough) ? mark!.reservedThrough : 0;
    const ids = new EventIds(file, block, start, log);
    ids.persisted = start + block;
    await atomicWriteJson(file, { reservedThrough: ids.persisted } satisfies Mark);
    return ids;
  }

  /** The newest id handed out (0 before any). */
  get current(): number {
    return this.last;
  }

  /** The next id; it is always covered by a reservation already on disk. */
  next(): number {
    const id = ++this.last;
    if (id > this.persisted) {
      this.persisted = id + this.block;
      writeMarkSync(this.file, { reservedThrough: this.persisted });
    } else if (!this.pending && this.persisted - id < this.block / 2) {
      const target = this.persisted + this.block;
      this.pending = atomicWriteJson(this.file, { reservedThrough: target } satisfies Mark)
        .then(() => {
          // A synchronous reservation made meanwhile went further; the late rename must not undo it.
          if (this.persisted > target) writeMarkSync(this.file, { reservedThrough: this.persisted });
          else this.persisted = target;
        })
        .catch((err) => this.log.error({ err }, 'reserving event ids failed'))
        .finally(() => { this.pending = undefined; });
    }
    return id;
  }

  /** Waits for a reservation in flight (shutdown). */
  async flush(): Promise<void> {
    await this.pending;
  }
}
