import { mkdir } from 'node:fs/promises';
import type { SessionRecord } from './types.js';
import type { SessionsRegistry } from './service.js';
import { Session, type SessionDeps } from './session.js';
import { groupAlive, pidStartTime, terminateGroup } from './process-group.js';

/**
 * Ends what a previous server left running for a record (it was killed -9, or crashed): the agent's
 * process group, but only when the pid still names the same process (same start time), so a pid
 * reused by someone else is never touched. Without /proc the check is impossible and the group is
 * left alone, with a warning.
 */
async function reapOrphan(rec: SessionRecord, deps: SessionDeps): Promise<void> {
  const log = deps.log.child({ sessionId: rec.id });
  const groups = [...(rec.pid ? [{ pgid: rec.pid, startTime: rec.pidStartTime }] : []), ...(rec.groups ?? [])];
  for (const { pgid, startTime } of groups) {
    if (startTime === undefined) {
      if (groupAlive(pgid)) log.warn({ pgid }, 'cannot tell whether this process group is still ours (no /proc); leaving it alone');
      continue;
    }
    const now = pidStartTime(pgid);
    // Ours: the leader with the start time we noted, or a group whose leader died while members
    // live on (its number cannot be reused while they do).
    const leaderOurs = now === startTime;
    const membersOnly = now === undefined && groupAlive(pgid);
    if (!leaderOurs && !membersOnly) continue;
    log.warn({ pgid, serverPid: rec.serverPid, leaderAlive: leaderOurs }, 'a process group of a previous server still runs; ending it');
    await terminateGroup(pgid, deps.options.killGraceMs, undefined, startTime);
  }
  rec.groups = [];
}

function emitRestored(deps: SessionDeps, rec: SessionRecord, resumed: boolean): void {
  deps.events.emit('session.restored', { sessionId: rec.id, tenantId: rec.owner.tenantId, at: new Date().toISOString(), resumed });
}

/**
 * A kill was under way when the previous server stopped: it is never resumed; whatever of its
 * groups still runs is ended, and then it is `exited` as the kill would have left it.
 */
async function finishKill(s: Session, deps: SessionDeps): Promise<void> {
  await reapOrphan(s.record, deps);
  s.markExited('killed', 'kill');
  emitRestored(deps, s.record, false);
  await s.flush();
}

/** Loads and registers one record; returns the session when it must be resumed or its kill finished. */
async function loadOne(reg: SessionsRegistry, rec: SessionRecord, deps: SessionDeps): Promise<Session | undefined> {
  const driver = reg.driverFor(rec.agent);
  // An ended session takes no hooks: its secret is not read (nor made), which keeps boots with
  // thousands of ended sessions quick.
  const secret = rec.status === 'exited' ? '' : await deps.files.loadSecret(rec.id);
  const s = await Session.load(rec, driver, secret, deps);
  reg.register(s);
  if (!s.live) {
    // Ended, but a crash may have come before its other groups (terminals) were stopped.
    if (rec.groups?.length) { await reapOrphan(rec, deps); await s.save(); }
    return undefined;
  }
  if (rec.status === 'ending') return s;
  if (!driver?.capabilities.resume) {
    await reapOrphan(rec, deps);
    const why = driver ? `agent ${rec.agent} cannot resume after a server restart` : `agent ${rec.agent} is not available`;
    s.markExited(why, 'restore');
    emitRestored(deps, rec, false);
    await s.flush();
    return undefined;
  }
  s.report({ state: 'starting', cause: 'restore' });
  return s;
}

async function resumeOne(reg: SessionsRegistry, s: Session, deps: SessionDeps): Promise<void> {
  // Killed while it waited to be resumed: it stays ended.
  if (!s.live || s.ending) return;
  const rec = s.record as SessionRecord;
  await reapOrphan(rec, deps);
  rec.restarts++;
  rec.pid = undefined;
  rec.pidStartTime = undefined;
  // Time the server was down belongs to no state.
  if (rec.metrics) rec.metrics.stateSince = new Date().toISOString();
  await mkdir(deps.files.dir(rec.id), { recursive: true, mode: 0o700 });
  const refusal = await reg.restoreRefusal(rec);
  if (refusal) {
    deps.log.warn({ sessionId: rec.id, refusal }, 'session not restored');
    s.markExited(refusal, 'restore-refused');
    emitRestored(deps, rec, false);
    await s.save();
    return;
  }
  try {
    await reg.start(s, { resume: true });
    emitRestored(deps, rec, true);
  } catch {
    // start() has marked it exited with the reason and logged why.
    emitRestored(deps, rec, false);
  }
  await s.save();
}

/**
 * Loads every session record and registers it at once, so the API knows every session from the
 * first request. Each one that had not exited is then brought back in the background (its
 * orphaned process, if any, ended; the driver resumes it with the same id, record and workDir):
 * an agent that takes seconds to resume must not hold up the boot. `beforeResume` lets the
 * caller wait until the server listens, so hook URLs name the real port. A record that cannot be
 * resumed is marked exited with the reason; none is dropped.
 */
export async function restoreAll(reg: SessionsRegistry, deps: SessionDeps, beforeResume: () => Promise<void> = async () => {}): Promise<{ resumed: Promise<void> }> {
  const records = await deps.files.loadAll(deps.log);
  const toResume: Session[] = [];
  const toEnd: Session[] = [];
  for (const rec of records) {
    const s = await loadOne(reg, rec, deps).catch((err) => {
      deps.log.error({ err, sessionId: rec.id }, 'session record could not be loaded');
      return undefined;
    });
    if (s?.record.status === 'ending') toEnd.push(s);
    else if (s) toResume.push(s);
  }
  // In the background, like resuming: an agent that ignores SIGTERM must not hold up the boot.
  const ended = Promise.all(toEnd.map((s) => finishKill(s, deps).catch((err) => deps.log.error({ err, sessionId: s.record.id }, 'ending a killed session failed'))));
  if (records.length) deps.log.info({ records: records.length, resuming: toResume.length, ending: toEnd.length }, 'sessions loaded');
  const resuming = toResume.length === 0 ? Promise.resolve() : beforeResume().then(() => Promise.all(toResume.map((s) =>
    resumeOne(reg, s, deps).catch((err) => deps.log.error({ err, sessionId: s.record.id }, 'session could not be restored'))))).then(() => {
    deps.log.info({ live: reg.all().filter((s) => s.live).length }, 'sessions restored');
  });
  return { resumed: Promise.all([resuming, ended]).then(() => undefined) };
}
