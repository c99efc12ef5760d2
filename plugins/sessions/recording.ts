import { type FileHandle, open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';

/** The asciicast v2 header line. */
export interface CastHeader {
  version: 2;
  width: number;
  height: number;
  /** Unix seconds the recording started; event times are seconds after it. */
  timestamp: number;
  env?: Record<string, string>;
}

/** File names inside a session's folder: the live recording and the one rotated out before it. */
export const CAST_FILE = 'recording.cast';
export const CAST_ROTATED = 'recording.1.cast';

/** Reads the header of an asciicast file, or undefined when it is missing or unreadable. */
async function readHeader(file: string): Promise<CastHeader | undefined> {
  try {
    const text = await readFile(file, 'utf8');
    const first = text.slice(0, text.indexOf('\n'));
    const h = JSON.parse(first) as CastHeader;
    return h.version === 2 && typeof h.timestamp === 'number' ? h : undefined;
  } catch {
    return undefined;
  }
}

/** What the recorder is asked to do, in order; events carry the wall-clock time they happened. */
type Step =
  | { t: 'open'; cols: number; rows: number }
  | { t: 'event'; at: number; kind: 'o' | 'r'; data: string }
  | { t: 'close' };

/**
 * Records a session's PTY output as asciicast v2 in its folder. Calls return at once: the steps
 * are queued with the time they happened and written in order by one background writer, all
 * events waiting at that moment in one append, so a busy server never blocks on this file.
 * Lines are whole (a crash leaves at most a torn last line, which players skip). When the file
 * passes `maxBytes` it is rotated to `recording.1.cast` (one generation kept), so a session's
 * recordings never take more than about twice that. A restarted server appends to the same
 * recording, its times continuing from the original start.
 */
export class CastRecorder {
  private fh: FileHandle | undefined;
  private bytes = 0;
  private startMs = 0;
  private failed = false;
  private size = { cols: 80, rows: 24 };
  private steps: Step[] = [];
  private running: Promise<void> | undefined;

  constructor(private readonly dir: string, private readonly maxBytes: number, private readonly log: Logger) {}

  /** Opens (or continues) the recording for a terminal of this size. */
  open(cols: number, rows: number): void {
    this.push({ t: 'close' });
    this.push({ t: 'open', cols, rows });
  }

  /** Appends an output event. */
  output(data: string): void {
    this.push({ t: 'event', at: Date.now(), kind: 'o', data });
  }

  /** Appends a resize event (`"r"`, `COLSxROWS`). */
  resize(cols: number, rows: number): void {
    this.push({ t: 'event', at: Date.now(), kind: 'r', data: `${cols}x${rows}` });
  }

  /** Ends the recording; what was queued before is still written. */
  close(): void {
    this.push({ t: 'close' });
  }

  /** Resolves once everything asked so far is in the file (or recording has failed). */
  async flush(): Promise<void> {
    while (this.running) await this.running;
  }

  private push(step: Step): void {
    if (this.failed) return;
    this.steps.push(step);
    this.kick();
  }

  private kick(): void {
    if (this.running) return;
    this.running = this.work().finally(() => {
      this.running = undefined;
      // Steps pushed after the loop looked for the last time, before this ran.
      if (this.steps.length && !this.failed) this.kick();
    });
  }

  private async work(): Promise<void> {
    while (this.steps.length && !this.failed) {
      const step = this.steps.shift()!;
      try {
        if (step.t === 'open') await this.openFile(step.cols, step.rows);
        else if (step.t === 'close') await this.closeFile();
        else {
          const events = [step];
          while (this.steps[0]?.t === 'event') events.push(this.steps.shift() as typeof step);
          await this.write(events);
        }
      } catch (err) {
        await this.fail(err);
      }
    }
  }

  private async openFile(cols: number, rows: number): Promise<void> {
    this.size = { cols, rows };
    const file = join(this.dir, CAST_FILE);
    const header = await readHeader(file);
    if (!header) return this.start(cols, rows);
    this.startMs = header.timestamp * 1000;
    this.fh = await open(file, 'a+', 0o600);
    this.bytes = (await this.fh.stat()).size;
    // A crash can leave a torn last line; start on a fresh one so only that line is lost.
    const last = Buffer.alloc(1);
    const torn = this.bytes > 0 && (await this.fh.read(last, 0, 1, this.bytes - 1)).bytesRead === 1 && last[0] !== 0x0a;
    await this.append(`${torn ? '\n' : ''}${this.line({ at: Date.now(), kind: 'r', data: `${cols}x${rows}` })}`);
  }

  private async start(cols: number, rows: number): Promise<void> {
    const startMs = Date.now();
    const header: CastHeader = { version: 2, width: cols, height: rows, timestamp: Math.floor(startMs / 1000), env: { TERM: 'xterm-256color' } };
    this.startMs = header.timestamp * 1000;
    this.fh = await open(join(this.dir, CAST_FILE), 'w', 0o600);
    this.bytes = 0;
    await this.append(JSON.stringify(header) + '\n');
  }

  private line(e: { at: number; kind: 'o' | 'r'; data: string }): string {
    const t = Math.max(0, (e.at - this.startMs) / 1000);
    return JSON.stringify([Number(t.toFixed(6)), e.kind, e.data]) + '\n';
  }

  /** Writes events, rotating whenever the file passes its bound. */
  private async write(events: Array<{ at: number; kind: 'o' | 'r'; data: string }>): Promise<void> {
    let text = '';
    let size = this.bytes;
    for (const e of events) {
      if (e.kind === 'r') {
        // The size in force at this point of the stream, for the header of a file rotated after it.
        const [cols, rows] = e.data.split('x').map(Number);
        this.size = { cols: cols!, rows: rows! };
      }
      if (!this.fh) continue;
      const l = this.line(e);
      text += l;
      size += Buffer.byteLength(l);
      if (size >= this.maxBytes) {
        await this.append(text);
        text = '';
        await this.rotate();
        size = this.bytes;
      }
    }
    if (text) await this.append(text);
  }

  private async append(text: string): Promise<void> {
    if (!this.fh) return;
    const buf = Buffer.from(text, 'utf8');
    await this.fh.write(buf);
    this.bytes += buf.length;
  }

  private async rotate(): Promise<void> {
    await this.closeFile();
    await rename(join(this.dir, CAST_FILE), join(this.dir, CAST_ROTATED));
    // The new file's clock starts now; its header says so, and export joins the two by timestamp.
    await this.start(this.size.cols, this.size.rows);
  }

  private async fail(err: unknown): Promise<void> {
    // Recording is a convenience: a full disk must not take the session down with it.
    this.failed = true;
    this.steps = [];
    this.log.warn({ err }, 'recording stopped');
    await this.closeFile();
  }

  private async closeFile(): Promise<void> {
    const fh = this.fh;
    this.fh = undefined;
    if (fh) await fh.close().catch(() => undefined);
  }
}

/**
 * One asciicast v2 document for a session: the rotated generation (if any) followed by the live
 * one, the live events' times shifted onto the first header's clock. Torn lines are skipped.
 * Undefined when nothing was recorded.
 */
export async function exportCast(dir: string): Promise<string | undefined> {
  const parts = [CAST_ROTATED, CAST_FILE].map((f) => join(dir, f));
  let header: CastHeader | undefined;
  const out: string[] = [];
  for (const file of parts) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    const lines = text.split('\n');
    let h: CastHeader;
    try { h = JSON.parse(lines[0] ?? '') as CastHeader; } catch { continue; }
    header ??= h;
    const shift = h.timestamp - header.timestamp;
    for (const l of lines.slice(1)) {
      if (!l) continue;
      try {
        const [t, kind, data] = JSON.parse(l) as [number, string, string];
        out.push(JSON.stringify([Number((t + shift).toFixed(6)), kind, data]));
      } catch { /* torn by a crash */ }
    }
  }
  if (!header) return undefined;
  return [JSON.stringify(header), ...out].join('\n') + '\n';
}
