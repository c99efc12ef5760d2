import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { findOnPath } from './executable.js';

/** The OS user an agent runs as, resolved from its passwd entry (or given as `uid:gid`). */
export interface AgentIdentity {
  /** What was configured: a user name or `uid:gid`. */
  spec: string;
  /** The user name (the uid in digits when it has no passwd entry). */
  user: string;
  uid: number;
  gid: number;
  /** Supplementary groups, the primary one included. */
  groups: number[];
  /** HOME from the passwd entry; undefined without one (the session's agent folder is used). */
  home?: string;
  shell?: string;
}

/** Why an agent user cannot be used; the message is one line naming the problem. */
export class AgentUserProblem extends Error {
  override name = 'AgentUserProblem';
}

interface PasswdEntry { name: string; uid: number; gid: number; home: string; shell: string }

/** One passwd entry by name or uid, through NSS (`getent`), else /etc/passwd. */
function passwd(key: string): PasswdEntry | undefined {
  let line: string | undefined;
  try {
    line = execFileSync('getent', ['passwd', key], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).split('\n')[0];
  } catch {
    // Not found (exit 2) or no getent: fall back to the file.
    const numeric = /^\d+$/.test(key);
    line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.split(':')[numeric ? 2 : 0] === key);
  }
  const f = line?.split(':');
  if (!f || f.length < 7) return undefined;
  return { name: f[0]!, uid: Number(f[2]), gid: Number(f[3]), home: f[5]!, shell: f[6]! };
}

/** The user's groups (`id -G`), else just its primary group. */
function groupsOf(name: string, gid: number): number[] {
  try {
    const out = execFileSync('id', ['-G', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 });
    const ids = out.trim().split(/\s+/).map(Number).filter((n) => Number.isInteger(n) && n >= 0);
    return [...new Set([gid, ...ids])];
  } catch {
    return [gid];
  }
}

/**
 * Resolves `agentUser` (a user name, or `uid:gid`). Root (uid 0 or gid 0) is refused: an agent
 * run as root could read everything the server can.
 */
export function resolveAgentUser(spec: string): AgentIdentity {
  const numeric = /^(\d+):(\d+)$/.exec(spec);
  let id: AgentIdentity;
  if (numeric) {
    const uid = Number(numeric[1]);
    const gid = Number(numeric[2]);
    const entry = passwd(String(uid));
    id = entry
      ? { spec, user: entry.name, uid, gid, groups: entry.gid === gid ? groupsOf(entry.name, gid) : [gid], home: entry.home, shell: entry.shell }
      : { spec, user: String(uid), uid, gid, groups: [gid] };
  } else {
    const entry = passwd(spec);
    if (!entry) throw new AgentUserProblem(`agent user ${spec} does not exist (no passwd entry)`);
    id = { spec, user: entry.name, uid: entry.uid, gid: entry.gid, groups: groupsOf(entry.name, entry.gid), home: entry.home, shell: entry.shell };
  }
  if (id.uid === 0 || id.gid === 0 || id.groups.includes(0)) throw new AgentUserProblem(`agent user ${spec} is root or in group 0; an agent must not hold root's rights`);
  return id;
}

/** Whether this process may switch to other users: root, or CAP_SETUID and CAP_SETGID in effect. */
export function canSwitchUsers(): boolean {
  if (process.getuid?.() === 0) return true;
  try {
    const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    const caps = m ? BigInt(`0x${m[1]}`) : 0n;
    return (caps & (1n << 6n)) !== 0n && (caps & (1n << 7n)) !== 0n;
  } catch {
    return false;
  }
}

/** The `setpriv` (util-linux) that starts agents as their user, or undefined. */
export function findSetpriv(path = '/usr/bin:/bin:/usr/sbin:/sbin:/usr/local/bin'): string | undefined {
  return findOnPath('setpriv', path);
}

/**
 * The argv that runs `file args` as the agent user: `setpriv` sets uid, gid and exactly the
 * user's groups (node-pty and libuv set uid and gid only, leaving root's groups or none), drops
 * every inheritable capability and sets no_new_privs, so no setuid program inside the session
 * gets more rights than the user has. Then it execs the program: the pid stays the agent's.
 */
export function runAsArgv(setpriv: string, id: AgentIdentity, file: string, args: readonly string[]): { command: string; args: string[] } {
  return {
    command: setpriv,
    args: [
      `--reuid=${id.uid}`, `--regid=${id.gid}`, `--groups=${id.groups.join(',')}`,
      '--inh-caps=-all', '--no-new-privs', '--', file, ...args,
    ],
  };
}

/** Whether the mode bits grant `bit` (4 read, 2 write, 1 search) to the user. ACLs are not read. */
function grants(st: { uid: number; gid: number; mode: number }, id: AgentIdentity, bit: number): boolean {
  if (st.uid === id.uid) return (st.mode & (bit << 6)) !== 0;
  if (id.groups.includes(st.gid)) return (st.mode & (bit << 3)) !== 0;
  return (st.mode & bit) !== 0;
}

/**
 * Whether the agent user can work in `dir` (an absolute real path): search every folder above
 * it, and write and search the folder itself. Decided from owners and mode bits, so no process
 * is started; POSIX ACLs are not read (a folder opened to the user only by an ACL is refused).
 */
export async function agentCanWrite(id: AgentIdentity, dir: string): Promise<boolean> {
  const st = await stat(dir);
  if (!grants(st, id, 2) || !grants(st, id, 1)) return false;
  for (let d = dirname(dir); ; d = dirname(d)) {
    if (!grants(await stat(d), id, 1)) return false;
    if (d === dirname(d)) return true;
  }
}
