import { existsSync, readFileSync } from 'node:fs';

/** Paths probed for Docker detection; injectable so tests can prove every row of the guide's table. */
export interface DockerProbe {
  dockerenvPath: string;
  cgroupPath: string;
}

export const DEFAULT_PROBE: DockerProbe = { dockerenvPath: '/.dockerenv', cgroupPath: '/proc/1/cgroup' };

/** True when `/.dockerenv` exists or PID 1's cgroup mentions docker or containerd. */
export function runningInDocker(probe: DockerProbe = DEFAULT_PROBE): boolean {
  if (existsSync(probe.dockerenvPath)) return true;
  try {
    return /docker|containerd/.test(readFileSync(probe.cgroupPath, 'utf8'));
  } catch {
    return false;
  }
}

/** The bind address: an explicit host always wins; else 0.0.0.0 in Docker, 127.0.0.1 elsewhere. */
export function resolveHost(explicit: string | undefined, probe: DockerProbe = DEFAULT_PROBE): string {
  if (explicit) return explicit;
  return runningInDocker(probe) ? '0.0.0.0' : '127.0.0.1';
}
