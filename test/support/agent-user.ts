import { execFileSync } from 'node:child_process';
import { chmodSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from './paths.js';

/** The unprivileged user isolation tests run agents as. Created once per machine, never removed. */
export const AGENT_USER = 'aegis-test-agent';

/** The agent user as the tests need it. */
export interface TestAgentUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

function lookup(name: string): TestAgentUser | undefined {
  try {
    const f = execFileSync('getent', ['passwd', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split(':');
    return { name, uid: Number(f[2]), gid: Number(f[3]), home: f[5]! };
  } catch {
    return undefined;
  }
}

/**
 * Every folder above `path` must let others search it, or the agent user cannot reach the CLI,
 * node_modules or the hook forwarder under the checkout. Adds only the search bit (o+x: reach a
 * known name, never list), and only where it is missing. Returns the folders it changed.
 */
export function openPathForOthers(path: string): string[] {
  const changed: string[] = [];
  for (let d = path; ; d = dirname(d)) {
    const mode = statSync(d).mode;
    if ((mode & 0o001) === 0) { chmodSync(d, (mode & 0o7777) | 0o001); changed.push(d); }
    if (d === dirname(d)) return changed;
  }
}

/**
 * The test agent user, created with `useradd` (own group, home folder) when missing. Idempotent
 * and safe when two test files race to create it. Returns a reason instead when the tests cannot
 * run agents as another user: not root, or no useradd/setpriv.
 */
export function ensureAgentUser(): TestAgentUser | { skip: string } {
  if (process.getuid?.() !== 0) return { skip: 'running agents as another user needs root; these tests run as root in CI' };
  for (const tool of ['useradd', 'setpriv']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      return { skip: `${tool} is not installed` };
    }
  }
  let user = lookup(AGENT_USER);
  if (!user) {
    try {
      execFileSync('useradd', ['--create-home', '--user-group', '--shell', '/bin/bash', AGENT_USER], { stdio: 'ignore' });
    } catch {
      // Another test file may have created it in the meantime; the lookup below decides.
    }
    user = lookup(AGENT_USER);
    if (!user) return { skip: `useradd ${AGENT_USER} failed` };
  }
  const changed = openPathForOthers(REPO_ROOT);
  if (changed.length) process.stderr.write(`# added o+x (search only) to ${changed.join(', ')} so ${AGENT_USER} can reach the checkout\n`);
  // The agent runs the CLI from node_modules and the hook forwarder and fixtures from dist. A
  // checkout made under a strict umask keeps them from other users; open them for reading only.
  for (const dir of [join(REPO_ROOT, 'node_modules'), join(REPO_ROOT, 'dist')]) {
    if ((statSync(dir).mode & 0o005) !== 0o005) {
      execFileSync('chmod', ['-R', 'o+rX', dir]);
      process.stderr.write(`# added o+rX to ${dir} so ${AGENT_USER} can run the CLI and the hook forwarder\n`);
    }
  }
  return user;
}

/** The real uid of a process, from /proc. */
export async function uidOf(pid: number): Promise<number> {
  return Number(/^Uid:\s+(\d+)/m.exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.[1]);
}

/**
 * Runs a test file's body with the test agent user, or, where there can be none (not root, tools
 * missing), says why in the run and records one passing line naming the reason.
 */
export async function withAgentUser(
  t: { comment(message: string): void; pass(message: string): void }, run: (user: TestAgentUser) => Promise<void>,
): Promise<void> {
  const found = ensureAgentUser();
  if ('skip' in found) {
    t.comment(`skipped: ${found.skip}`);
    t.pass(`skipped: ${found.skip}`);
    return;
  }
  await run(found);
}
