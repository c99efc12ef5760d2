import { open, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { GENESIS, type AuditRecord } from './chain.js';

const CHUNK = 64 * 1024;

/**
 * The last newline-terminated line of a file, read backwards in chunks: `end` is just past its
 * newline (bytes after it are an unfinished write), `start` where it begins. No line: end 0.
 */
async function lastLine(fh: FileHandle, size: number): Promise<{ end: number; start: number; line?: string }> {
  let pos = size;
  let buf = Buffer.alloc(0);
  let end: number | undefined;
  while (pos > 0) {
    const n = Math.min(CHUNK, pos);
    pos -= n;
    const chunk = Buffer.alloc(n);
    await fh.read(chunk, 0, n, pos);
    buf = Buffer.concat([chunk, buf]);
    if (end === undefined) {
      const nl = buf.lastIndexOf(0x0a);
      if (nl < 0) continue;
      end = pos + nl + 1;
    }
    // Search only before the line's own newline; a negative offset would search from the end.
    const from = end - pos - 2;
    const prev = from >= 0 ? buf.lastIndexOf(0x0a, from) : -1;
    if (prev >= 0 || pos === 0) return { end, start: pos + prev + 1, line: buf.subarray(prev + 1, end - pos - 1).toString('utf8') };
  }
  return { end: end ?? 0, start: 0 };
}

function parse(line: string): AuditRecord | undefined {
  try {
    const r = JSON.parse(line) as AuditRecord;
    return typeof r.seq === 'number' && typeof r.hash === 'string' ? r : undefined;
  } catch {
    return undefined;
  }
}

/** Bytes moved out of a daily file into a quarantine file beside it. */
export interface Quarantined { file: string; bytes: number; fragment: string }

/**
 * Makes the newest daily file end with an intact record after a crash: bytes after the last
 * parseable, newline-terminated record (a write cut by kill -9 or power loss) are moved to a
 * `torn-*.fragment` quarantine file beside it and cut off. Returns where the chain continues
 * and what was moved, so the log can record it.
 */
export async function recoverTail(dir: string, files: string[], log?: Logger): Promise<{ seq: number; hash: string; moved: Quarantined[] }> {
  const moved: Quarantined[] = [];
  for (const name of [...files].reverse()) {
    const fh = await open(join(dir, name), 'r+');
    try {
      let size = (await fh.stat()).size;
      while (size > 0) {
        const { end, start, line } = await lastLine(fh, size);
        const record = line === undefined ? undefined : parse(line);
        // An unparseable last line is treated like a torn one: kept aside, not chained onto.
        const keep = record ? end : start;
        if (keep < size) {
          const fragment = Buffer.alloc(size - keep);
          await fh.read(fragment, 0, fragment.length, keep);
          const fragmentName = `torn-${name}-${Date.now()}-${keep}.fragment`;
          const side = join(dir, fragmentName);
          await writeFile(side, fragment, { mode: 0o600 });
          await fh.truncate(keep);
          await fh.sync();
          log?.warn({ file: name, bytes: fragment.length, fragment: side }, 'audit: cut a torn tail left by a crash');
          moved.push({ file: name, bytes: fragment.length, fragment: fragmentName });
          size = keep;
        }
        if (record) return { seq: record.seq, hash: record.hash, moved };
      }
    } finally {
      await fh.close();
    }
  }
  return { seq: 0, hash: GENESIS, moved };
}
