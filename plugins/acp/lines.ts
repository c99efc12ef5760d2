/**
 * Splits a byte stream into newline-terminated lines (CRLF tolerated). A line longer than
 * `maxBytes` is dropped whole, up to its newline, and reported once through `onOverflow`, so a
 * runaway agent cannot make us buffer without bound.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  private overflowing = false;

  constructor(
    private readonly maxBytes: number,
    private readonly onLine: (line: string) => void,
    private readonly onOverflow: (bytes: number) => void,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (let nl = chunk.indexOf(0x0a); nl >= 0; nl = chunk.indexOf(0x0a, start)) {
      this.take(chunk.subarray(start, nl));
      this.finish();
      start = nl + 1;
    }
    if (start < chunk.length) this.take(chunk.subarray(start));
  }

  /** The stream ended: a last line without a newline still counts. */
  end(): void {
    if (this.size > 0 || this.overflowing) this.finish();
  }

  private take(bytes: Buffer): void {
    this.size += bytes.length;
    if (this.overflowing) return;
    if (this.size > this.maxBytes) {
      this.overflowing = true;
      this.parts = [];
      return;
    }
    if (bytes.length) this.parts.push(bytes);
  }

  private finish(): void {
    if (this.overflowing) {
      this.onOverflow(this.size);
    } else {
      const line = Buffer.concat(this.parts).toString('utf8');
      this.onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
    }
    this.parts = [];
    this.size = 0;
    this.overflowing = false;
  }
}
