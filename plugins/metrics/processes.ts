import { readFile } from 'node:fs/promises';

/**
 * Resident memory of a process in bytes (Linux `/proc/<pid>/status` VmRSS), or undefined when
 * it is gone or the platform has no /proc. Only the agent's own process: its children (tools it
 * runs) are not summed in.
 */
export async function residentBytes(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return undefined;
  }
}
