import { mkdir, open, rename, readFile, unlink, chmod, stat } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import { randomBytes } from 'node:crypto';
import { dirSyncer, type DirSyncer } from './dir-sync.js';

/**
 * Creates the state directory (mode 0700) if missing and tightens an existing one
 * that is readable by others.
 */
export async function ensureStateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const st = await stat(dir);
  if ((st.mode & 0o077) !== 0) await chmod(dir, 0o700);
}

/**
 * Fsyncs a directory so a rename or a new file in it survives a crash. Concurrent callers share
 * fsyncs (see DirSyncer): each resolves once an fsync that began after its call has finished.
 */
export function fsyncDir(dir: string): Promise<void> {
  return dirSyncer.sync(dir);
}

/** Temp names: unique per process (pid and a random tag, in case a pid is reused) and per write. */
const TMP_TAG = `${process.pid}.${randomBytes(4).toString('hex')}`;
let tmpSeq = 0;

/**
 * Opens `file`, creating its folder (0700) only when the open says it is missing: the folder
 * almost always exists, and a burst of writes should not pay a mkdir each.
 */
async function openMakingDir(file: string, flags: string, mode: number) {
  try {
    return await open(file, flags, mode);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    return open(file, flags, mode);
  }
}

/**
 * Replaces `file` atomically: writes a temp file beside it, fsyncs it, renames it over the
 * target and fsyncs the directory. A crash at any instant leaves either the old or the new
 * content, never a torn file. The directory fsync is shared with the other writes into the same
 * folder at the time (group commit), so a burst of writes costs few of them.
 */
export async function atomicWrite(file: string, data: string | Uint8Array, mode = 0o600, syncer: DirSyncer = dirSyncer): Promise<void> {
  const dir = dirname(file);
  const tmp = join(dir, `.${basename(file)}.${TMP_TAG}.${++tmpSeq}.tmp`);
  const fh = await openMakingDir(tmp, 'w', mode);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } catch (err) {
    await fh.close();
    await unlink(tmp).catch(() => {});
    throw err;
  }
  await fh.close();
  await rename(tmp, file);
  await syncer.sync(dir);
}

/** Writes JSON atomically (pretty, newline-terminated). */
export function atomicWriteJson(file: string, value: unknown, mode = 0o600, syncer: DirSyncer = dirSyncer): Promise<void> {
  return atomicWrite(file, JSON.stringify(value, null, 2) + '\n', mode, syncer);
}

/** Reads JSON, or returns `undefined` when the file does not exist. */
export async function readJsonIfExists<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * An append-only log file (transcripts): each `append` writes whole lines and fsyncs before it
 * resolves. The first append to a new file also fsyncs its folder (shared with other writers
 * there), so its directory entry is as durable as its first line. The file stays open between
 * appends (on a busy server an open and a close were most of an append's cost on the event
 * loop); it is closed after `idleMs` without appends, and by `close`, and the next append opens it
 * again. Callers serialise their appends (one in flight at a time); a torn last line after a crash
 * is the reader's to skip.
 */
export class DurableAppender {
  private fh: Awaited<ReturnType<typeof open>> | undefined;
  private idle: NodeJS.Timeout | undefined;
  private busy = false;

  constructor(private readonly file: string, private readonly idleMs = 10_000, private readonly mode = 0o600, private readonly syncer: DirSyncer = dirSyncer) {}

  async append(text: string): Promise<void> {
    this.busy = true;
    clearTimeout(this.idle);
    try {
      if (!this.fh) {
        const fh = await openMakingDir(this.file, 'a', this.mode);
        const fresh = (await fh.stat()).size === 0;
        this.fh = fh;
        await this.write(text);
        // A new file's directory entry must be durable too, or a crash could lose the file.
        if (fresh) await this.syncer.sync(dirname(this.file));
      } else {
        await this.write(text);
      }
    } catch (err) {
      await this.close();
      throw err;
    } finally {
      this.busy = false;
    }
    this.idle = setTimeout(() => { if (!this.busy) void this.close(); }, this.idleMs);
    this.idle.unref();
  }

  private async write(text: string): Promise<void> {
    await this.fh!.write(text.endsWith('\n') ? text : text + '\n');
    await this.fh!.sync();
  }

  /** Closes the file if it is open; appends already resolved are on disk. */
  async close(): Promise<void> {
    clearTimeout(this.idle);
    const fh = this.fh;
    this.fh = undefined;
    if (fh) await fh.close().catch(() => undefined);
  }
}

/** The state directory handle plugins receive as `app.stateDir`. */
export interface StateDir {
  /** Absolute path of the state directory. */
  readonly root: string;
  /** Absolute path of a file or folder inside it. */
  path(...parts: string[]): string;
  /** Creates (0700) and returns a sub-directory owned by one plugin. */
  dir(...parts: string[]): Promise<string>;
}

export function stateDirHandle(root: string): StateDir {
  return {
    root,
    path: (...parts) => join(root, ...parts),
    dir: async (...parts) => {
      const d = join(root, ...parts);
      await mkdir(d, { recursive: true, mode: 0o700 });
      return d;
    },
  };
}

/**
 * Parses an append-only JSON-lines file, skipping blank lines and any line that is not whole JSON
 * (a torn last line after a crash is expected and completes on the next read) or not an object.
 */
export function parseJsonLines(text: string): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const v: unknown = JSON.parse(line);
      if (v && typeof v === 'object' && !Array.isArray(v)) out.push(v as Record<string, unknown>);
    } catch {
      // Torn or foreign line: skipped, never fatal.
    }
  }
  return out;
}
