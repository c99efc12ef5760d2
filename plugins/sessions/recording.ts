import { closeSync, existsSync, openSync, readFileSync, readSync, renameSync, statSync, writeSync } from 'node:fs';
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
function readHeader(file: string): CastHeader | undefined {
  try {
    const text = readFileSync(file, 'utf8');
    const first = text.slice(0, text.indexOf('\n'));
    const h = JSON.parse(first) as CastHeader;
    return h.version === 2 && typeof h.timestamp === 'number' ? h : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Records a session's PTY output as asciicast v2 in its folder. Writes are synchronous appends of
 * whole lines (one per output chunk), so a crash leaves at most a torn last line, which players
 * skip. When the file passes `maxBytes` it is rotated to `recording.1.cast` (one generation kept),
 * so a session's recordings never take more than about twice that. A restarted server appends to
 * the same recording, its times continuing from the original start.
 */
export class CastRecorder {
  private fd: number | undefined;
  private bytes = 0;
  private startMs = 0;
  private failed = false;
  private size = { cols: 80, rows: 24 };

  constructor(private readonly dir: string, private readonly maxBytes: number, private readonly log: Logger) {}

  /** Opens (or continues) the recording for a terminal of this size. */
  open(cols: number, rows: number): void {
    this.close();
    this.size = { cols, rows };
    const file = join(this.dir, CAST_FILE);
    const header = existsSync(file) ? readHeader(file) : undefined;
    try {
      if (header) {
        this.startMs = header.timestamp * 1000;
        this.fd = openSync(file, 'a+', 0o600);
        this.bytes = statSync(file).size;
        // A crash can leave a torn last line; start on a fresh one so only that line is lost.
        const last = Buffer.alloc(1);
        if (this.bytes > 0 && readSync(this.fd, last, 0, 1, this.bytes - 1) === 1 && last[0] !== 0x0a) this.line('');
        this.resize(cols, rows);
      } else {
        this.start(cols, rows);
      }
    } catch (err) {
      this.fail(err);
    }
  }

  private start(cols: number, rows: number): void {
    const file = join(this.dir, CAST_FILE);
    this.startMs = Date.now();
    const header: CastHeader = { version: 2, width: cols, height: rows, timestamp: Math.floor(this.startMs / 1000), env: { TERM: 'xterm-256color' } };
    this.startMs = header.timestamp * 1000;
    this.fd = openSync(file, 'w', 0o600);
    this.bytes = 0;
    this.line(JSON.stringify(header));
  }

  /** Appends an output event. */
  output(data: string): void {
    this.event('o', data);
  }

  /** Appends a resize event (`"r"`, `COLSxROWS`). */
  resize(cols: number, rows: number): void {
    this.size = { cols, rows };
    this.event('r', `${cols}x${rows}`);
  }

  private event(kind: 'o' | 'r', data: string): void {
    if (this.fd === undefined || this.failed) return;
    const t = Math.max(0, (Date.now() - this.startMs) / 1000);
    try {
      this.line(JSON.stringify([Number(t.toFixed(6)), kind, data]));
      if (this.bytes >= this.maxBytes) this.rotate();
    } catch (err) {
      this.fail(err);
    }
  }

  private rotate(): void {
    this.close();
    renameSync(join(this.dir, CAST_FILE), join(this.dir, CAST_ROTATED));
    // The new file's clock starts now; its header says so, and export joins the two by timestamp.
    this.start(this.size.cols, this.size.rows);
  }

  private line(s: string): void {
    const buf = Buffer.from(s + '\n', 'utf8');
    writeSync(this.fd!, buf);
    this.bytes += buf.length;
  }

  private fail(err: unknown): void {
    // Recording is a convenience: a full disk must not take the session down with it.
    this.failed = true;
    this.log.warn({ err }, 'recording stopped');
    this.close();
  }

  close(): void {
    if (this.fd !== undefined) {
      try { closeSync(this.fd); } catch { /* already closed */ }
      this.fd = undefined;
    }
  }
}

/**
 * One asciicast v2 document for a session: the rotated generation (if any) followed by the live
 * one, the live events' times shifted onto the first header's clock. Torn lines are skipped.
 * Undefined when nothing was recorded.
 */
export function exportCast(dir: string): string | undefined {
  const parts = [CAST_ROTATED, CAST_FILE].map((f) => join(dir, f)).filter((f) => existsSync(f));
  let header: CastHeader | undefined;
  const out: string[] = [];
  for (const file of parts) {
    const lines = readFileSync(file, 'utf8').split('\n');
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
