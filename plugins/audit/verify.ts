import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { GENESIS, fileFor, recordHash, type AuditRecord } from './chain.js';
import { auditFiles } from './log.js';
import { HEAD_FILE, readHead } from './head.js';

/** `audit.recovered` reasons that mean records were lost or the head was forged. */
const LOSS = new Set(['behind-head', 'head-invalid']);

/** Where the chain first breaks, and why. */
export interface BrokenAt {
  file: string;
  /** 1-based line in that file. */
  line: number;
  /** The seq the line carries, or the one expected there when it does not parse. */
  seq: number;
  /**
   * unparseable, hash (the line was altered), seq (a line is missing or out of order), prev-hash,
   * wrong-file, truncated (the log ends before its signed head, or recovered from that once),
   * head (the signed head's signature does not hold).
   */
  reason: 'unparseable' | 'hash' | 'seq' | 'prev-hash' | 'wrong-file' | 'truncated' | 'head';
}

/** The integrity report of `GET /v1/audit?verify=true` and `ag audit verify`. */
export interface VerifyReport {
  ok: boolean;
  /** Lines read. */
  records: number;
  files: number;
  firstBroken?: BrokenAt;
  /** The signed head the chain was checked against, when there is one. */
  head?: { seq: number; hash: string; ts: string };
}

/** Each line of each daily file, in order, with where it is. */
export async function* auditLines(dir: string, files?: string[]): AsyncGenerator<{ file: string; line: number; text: string }> {
  for (const file of files ?? await auditFiles(dir)) {
    const rl = createInterface({ input: createReadStream(join(dir, file), { encoding: 'utf8' }), crlfDelay: Infinity });
    let line = 0;
    for await (const text of rl) yield { file, line: ++line, text };
  }
}

function check(key: string, text: string, seq: number, prevHash: string, file: string): { record?: AuditRecord; reason?: BrokenAt['reason'] } {
  let record: AuditRecord;
  try {
    record = JSON.parse(text) as AuditRecord;
  } catch {
    return { reason: 'unparseable' };
  }
  if (!record || typeof record !== 'object' || typeof record.hash !== 'string') return { reason: 'unparseable' };
  if (recordHash(key, record) !== record.hash) return { record, reason: 'hash' };
  if (record.seq !== seq) return { record, reason: 'seq' };
  if (record.prevHash !== prevHash) return { record, reason: 'prev-hash' };
  if (typeof record.ts !== 'string' || fileFor(record.ts) !== file) return { record, reason: 'wrong-file' };
  return { record };
}

/**
 * Walks the whole chain: every line must parse, carry its own HMAC, follow its predecessor's seq
 * and hash, and sit in the daily file of its date. Stops checking at `untilSeq` when given (the
 * records a running writer has made durable), so a line being written is never judged.
 */
export async function verifyChain(dir: string, key: string, opts: { untilSeq?: number } = {}): Promise<VerifyReport> {
  const files = await auditFiles(dir);
  const signed = await readHead(dir, key);
  let prevHash = GENESIS;
  let seq = 0;
  let records = 0;
  let firstBroken: BrokenAt | undefined;
  for await (const { file, line, text } of auditLines(dir, files)) {
    if (opts.untilSeq !== undefined && seq >= opts.untilSeq) break;
    records++;
    const { record, reason } = check(key, text, seq + 1, prevHash, file);
    if (reason && !firstBroken) firstBroken = { file, line, seq: typeof record?.seq === 'number' ? record.seq : seq + 1, reason };
    // A recovery that found lost records keeps the log broken: the loss is not undone by new lines.
    if (!reason && !firstBroken && record?.action === 'audit.recovered' && LOSS.has(String(record.detail?.reason))) {
      firstBroken = { file, line, seq: record.seq, reason: record.detail.reason === 'head-invalid' ? 'head' : 'truncated' };
    }
    // After a break, follow the lines as they are, so one bad line is reported once, not forever.
    seq = typeof record?.seq === 'number' ? record.seq : seq + 1;
    prevHash = record?.hash ?? prevHash;
  }
  const head = signed.head;
  if (!firstBroken && !signed.valid) firstBroken = { file: HEAD_FILE, line: 0, seq: head?.seq ?? 0, reason: 'head' };
  if (!firstBroken && head && seq < head.seq) firstBroken = { file: files.at(-1) ?? HEAD_FILE, line: 0, seq: head.seq, reason: 'truncated' };
  return {
    ok: firstBroken === undefined, records, files: files.length, ...(firstBroken ? { firstBroken } : {}),
    ...(head && signed.valid ? { head: { seq: head.seq, hash: head.hash, ts: head.ts } } : {}),
  };
}
