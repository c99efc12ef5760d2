import { createHmac } from 'node:crypto';

/** `prevHash` of the very first record. */
export const GENESIS = '0'.repeat(64);

/** Daily files are `audit-YYYY-MM-DD.jsonl` (UTC dates), so names sort in time order. */
export const FILE_PATTERN = /^audit-(\d{4}-\d{2}-\d{2})\.jsonl$/;

/** One line of the audit log. */
export interface AuditRecord {
  /** 1, 2, 3 ... across all files, without gaps. */
  seq: number;
  ts: string;
  /** Principal id (`master`, a key id), `anonymous` or `system`. */
  actor: string;
  tenantId: string | null;
  action: string;
  sessionId?: string;
  detail: Record<string, unknown>;
  prevHash: string;
  /** HMAC-SHA256(key, prevHash + canonical JSON of every other field). */
  hash: string;
}

/** JSON with object keys sorted at every level, so the same record always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value).sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The hash a record must carry, computed from everything in it but its hash. */
export function recordHash(key: string, record: Omit<AuditRecord, 'hash'> & { hash?: string }): string {
  const { hash: _ignored, ...rest } = record;
  return createHmac('sha256', key).update(record.prevHash).update(canonicalJson(rest)).digest('hex');
}

/** The daily file a record with this timestamp belongs in. */
export function fileFor(ts: string): string {
  return `audit-${ts.slice(0, 10)}.jsonl`;
}
