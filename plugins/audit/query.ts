import { FILE_PATTERN, type AuditRecord } from './chain.js';
import { auditFiles } from './log.js';
import { auditLines } from './verify.js';

/** Filters of `GET /v1/audit`. All optional; `tenantId` is forced for tenant principals. */
export interface AuditFilter {
  actor?: string;
  /** Exact action, or a prefix ending in `*` (`session.*`). */
  action?: string;
  sessionId?: string;
  tenantId?: string;
  /** ISO times, inclusive. */
  from?: string;
  to?: string;
  /** Only records after this seq (the decoded cursor). */
  afterSeq?: number;
}

function matches(r: AuditRecord, f: AuditFilter): boolean {
  if (f.afterSeq !== undefined && r.seq <= f.afterSeq) return false;
  if (f.actor !== undefined && r.actor !== f.actor) return false;
  if (f.action !== undefined && !(f.action.endsWith('*') ? r.action.startsWith(f.action.slice(0, -1)) : r.action === f.action)) return false;
  if (f.sessionId !== undefined && r.sessionId !== f.sessionId) return false;
  if (f.tenantId !== undefined && r.tenantId !== f.tenantId) return false;
  if (f.from !== undefined && Date.parse(r.ts) < Date.parse(f.from)) return false;
  if (f.to !== undefined && Date.parse(r.ts) > Date.parse(f.to)) return false;
  return true;
}

/** Daily files that can hold records between `from` and `to` (compared by UTC date). */
function inRange(file: string, f: AuditFilter): boolean {
  const day = FILE_PATTERN.exec(file)?.[1] ?? '';
  return (f.from === undefined || day >= new Date(f.from).toISOString().slice(0, 10))
    && (f.to === undefined || day <= new Date(f.to).toISOString().slice(0, 10));
}

/**
 * The matching records in seq order, read line by line. A line that does not parse (one being
 * written right now, or a damaged one, which verify reports) is skipped.
 */
export async function* findRecords(dir: string, f: AuditFilter): AsyncGenerator<AuditRecord> {
  const files = (await auditFiles(dir)).filter((file) => inRange(file, f));
  for await (const { text } of auditLines(dir, files)) {
    let r: AuditRecord;
    try { r = JSON.parse(text) as AuditRecord; } catch { continue; }
    if (r && typeof r.seq === 'number' && matches(r, f)) yield r;
  }
}

/** One page and the cursor of the next, when there is more. */
export async function findPage(dir: string, f: AuditFilter, limit: number): Promise<{ records: AuditRecord[]; nextCursor?: string }> {
  const records: AuditRecord[] = [];
  let more = false;
  for await (const r of findRecords(dir, f)) {
    if (records.length === limit) { more = true; break; }
    records.push(r);
  }
  const last = records[records.length - 1];
  return { records, ...(more && last ? { nextCursor: encodeCursor(last.seq) } : {}) };
}

/** Cursors are opaque to clients; today they wrap the last seq seen. */
export function encodeCursor(seq: number): string {
  return Buffer.from(`seq:${seq}`).toString('base64url');
}

/** The seq inside a cursor, or undefined when it is not one of ours. */
export function decodeCursor(cursor: string): number | undefined {
  const m = /^seq:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return m ? Number(m[1]) : undefined;
}

const CSV_COLUMNS = ['seq', 'ts', 'actor', 'tenantId', 'action', 'sessionId', 'detail', 'prevHash', 'hash'] as const;

function csvCell(value: unknown): string {
  let s = value === undefined || value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  // A leading = + - @ would run as a formula when the export is opened in a spreadsheet.
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n']/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The CSV header line. */
export const CSV_HEADER = CSV_COLUMNS.join(',') + '\r\n';

/** One record as a CSV line (RFC 4180 quoting, detail as JSON). */
export function csvLine(r: AuditRecord): string {
  return CSV_COLUMNS.map((c) => csvCell(r[c])).join(',') + '\r\n';
}
