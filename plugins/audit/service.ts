import type { AuditRecord } from './chain.js';
import type { AuditEntry } from './log.js';
import type { AuditFilter } from './query.js';
import type { VerifyReport } from './verify.js';

/** `app.audit`: the tamper-evident audit trail. */
export interface AuditService {
  /** Appends a record; resolves once it is durable. Await it before answering the action it records. */
  record(entry: AuditEntry): Promise<void>;
  /** Resolves once every record accepted so far is durable. */
  idle(): Promise<void>;
  /** Walks the whole chain and reports where it first breaks. */
  verify(): Promise<VerifyReport>;
  /** Matching records in seq order. */
  find(filter: AuditFilter): AsyncGenerator<AuditRecord>;
  /** The folder of the daily files. */
  readonly dir: string;
}
