import { rm } from 'node:fs/promises';
import type { EventBus } from '../../kernel/index.js';
import type { SessionFiles } from './record-store.js';
import type { SessionRecord } from './types.js';

/** A duration in config: milliseconds, or a number with a unit (`90s`, `30m`, `12h`, `7d`). */
export function parseDuration(v: number | string): number {
  if (typeof v === 'number') return v;
  const m = /^(\d+)\s*(ms|s|m|h|d)$/.exec(v.trim());
  if (!m) throw new Error(`${v} is not a duration (e.g. 30m, 12h, 7d)`);
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
}

export interface RetentionDeps {
  files: SessionFiles;
  events: EventBus;
  /** Ended sessions, as the registry holds them. */
  ended: () => Array<Readonly<SessionRecord>>;
  /** Drops a session from the registry. */
  forget: (id: string) => void;
}

/**
 * Removes every session that ended more than `retainMs` ago: its record, transcript, secret and
 * folder (driver files, recordings). The audit trail keeps its own records of the session; a
 * `session.purged` event (audited) says what went. Returns how many were removed.
 */
export async function purgeEnded(deps: RetentionDeps, retainMs: number, now = Date.now()): Promise<number> {
  let purged = 0;
  for (const rec of deps.ended()) {
    const endedAt = Date.parse(rec.updatedAt);
    if (!(now - endedAt > retainMs)) continue;
    deps.forget(rec.id);
    const f = deps.files;
    await Promise.all([f.record(rec.id), f.transcript(rec.id), f.secret(rec.id), f.dir(rec.id)]
      .map((p) => rm(p, { recursive: true, force: true })));
    deps.events.emit('session.purged', { sessionId: rec.id, tenantId: rec.owner.tenantId, at: new Date(now).toISOString(), endedAt: rec.updatedAt });
    purged++;
  }
  return purged;
}
