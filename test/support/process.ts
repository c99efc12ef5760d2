import { readdirSync, readFileSync } from 'node:fs';
import { pollUntil } from './wait.js';

/** The fields of /proc/<pid>/stat after the command name: [state, ppid, pgrp, ...]; undefined when gone. */
function stat(pid: string | number): string[] | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

const zombie = (fields: string[] | undefined) => fields === undefined || fields[0] === 'Z' || fields[0] === 'X';

/** True when no process has this pid any more. A zombie awaiting its reaper counts as gone. */
export function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
  return zombie(stat(pid));
}

/** True when no live (non-zombie) process is left in process group `pgid`. */
export function groupGone(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
  let pids: string[];
  try { pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d)); } catch { return false; }
  return !pids.some((pid) => {
    const fields = stat(pid);
    return !zombie(fields) && Number(fields![2]) === pgid;
  });
}

/** Waits up to `ms` for a process that is not our child to disappear (its end raises no event). */
export function waitGone(pid: number, ms = 5000): Promise<boolean> {
  return pollUntil(() => processGone(pid), ms);
}

/** Waits up to `ms` for process group `pgid` to be empty. */
export function waitGroupGone(pgid: number, ms = 5000): Promise<boolean> {
  return pollUntil(() => groupGone(pgid), ms);
}
