import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * Sends `signal` to the process group led by `pid` (node-pty runs each agent with setsid, so its pid
 * is the group id). Falls back to the single process when no such group exists (a driver that
 * adopted a child that is not a group leader). Returns false when nothing was there.
 */
export function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
  try {
    process.kill(pid, signal);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

function exists(target: number): boolean {
  try {
    process.kill(target, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Live (non-zombie) processes in group `pgid` or with pid `pgid`, from /proc; undefined without
 * /proc. Members orphaned by the leader are reparented to init, which may reap them late; their
 * zombies must not count as "still running", or every kill would wait out the whole grace period.
 */
function liveMembers(pgid: number): number | undefined {
  let pids: string[];
  try { pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d)); } catch { return undefined; }
  let n = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (f[0] !== 'Z' && f[0] !== 'X' && (Number(f[2]) === pgid || Number(pid) === pgid)) n++;
    } catch {
      // Gone while we looked.
    }
  }
  return n;
}

/** True while any live process of the group (or the single process) `pid` is still there. */
export function groupAlive(pid: number): boolean {
  if (!exists(-pid) && !exists(pid)) return false;
  return (liveMembers(pid) ?? 1) > 0;
}

/**
 * Start time of a process in clock ticks since boot (Linux /proc), or undefined elsewhere or when
 * the process is gone. Paired with the pid it names one process for good: pids are reused, this
 * pair is not.
 */
export function pidStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses; fields after the last ')' are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

/**
 * Whether `pid` may still name our process or our group: its leader runs with the start time we
 * noted, or the leader is gone (while any member of its group lives, the kernel does not hand its
 * number out again). A live pid with another start time is someone else's.
 */
export function stillOurs(pid: number, startTime: string | undefined): boolean {
  if (startTime === undefined) return true;
  const now = pidStartTime(pid);
  return now === undefined || now === startTime;
}

/**
 * Ends a process group: SIGTERM, then SIGKILL to whatever of it is left once `graceMs` passes.
 * `leaderExited` (our own PTY child) resolves as soon as the leader is reaped; the rest of the
 * group, and any orphan group that is not our child, raise no event, so those are checked at a
 * backing-off interval bounded by the grace period. With `startTime`, a pid that now names
 * another process is never signalled.
 */
export async function terminateGroup(pid: number, graceMs: number, leaderExited?: Promise<unknown>, startTime?: string): Promise<void> {
  if (!stillOurs(pid, startTime)) return;
  if (!signalGroup(pid, 'SIGTERM')) return;
  const deadline = Date.now() + graceMs;
  if (leaderExited) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([leaderExited, new Promise((r) => { timer = setTimeout(r, graceMs); })]);
    clearTimeout(timer);
  }
  let wait = 5;
  while (Date.now() < deadline && groupAlive(pid)) {
    await delay(wait);
    wait = Math.min(wait * 2, 100);
  }
  if (groupAlive(pid) && stillOurs(pid, startTime)) signalGroup(pid, 'SIGKILL');
}
