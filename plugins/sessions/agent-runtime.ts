import { constants } from 'node:fs';
import { chmod, chown, lstat, mkdir, open, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { SessionOwner } from './types.js';
import {
  AgentUserProblem, canSwitchUsers, findSetpriv, resolveAgentUser, runAsArgv, type AgentIdentity,
} from './agent-user.js';

/** Picks the agent user (a name or `uid:gid`) for a session's owner; undefined = no opinion. */
export type AgentUserResolver = (owner: SessionOwner) => string | undefined;

/** What runs agents as their users. */
export interface AgentRunnerOptions {
  /** `plugins.sessions.agentUser`. */
  agentUser?: string;
  /** `plugins.sessions.agentRuntimeDir`: the root of the per-session folders agents can read. */
  runtimeDir: string;
}

/**
 * Runs agents as other OS users: resolves who a session's agent runs as (per-owner resolvers,
 * e.g. tenancy's `agentUsers`, then `agentUser`), prepares the per-session folder that user can
 * read, writes files into it without following anything the agent planted, and wraps commands in
 * `setpriv`. Identities are resolved once per spec and cached.
 */
export class AgentRunner {
  private readonly resolvers: AgentUserResolver[] = [];
  private readonly cache = new Map<string, AgentIdentity>();
  private setpriv: string | undefined;
  private rootReady: Promise<void> | undefined;

  constructor(private readonly opts: AgentRunnerOptions) {
    if (opts.agentUser !== undefined) this.resolve(opts.agentUser);
  }

  /** The default agent user, if configured. */
  get defaultUser(): AgentIdentity | undefined {
    return this.opts.agentUser === undefined ? undefined : this.resolve(this.opts.agentUser);
  }

  addResolver(resolver: AgentUserResolver): void { this.resolvers.push(resolver); }

  /**
   * Resolves and checks a spec: the user exists and is not root, this process may switch users
   * and `setpriv` is installed. Throws AgentUserProblem with one line saying what is wrong.
   */
  resolve(spec: string): AgentIdentity {
    const known = this.cache.get(spec);
    if (known) return known;
    const id = resolveAgentUser(spec);
    if (!canSwitchUsers()) throw new AgentUserProblem(`agent user ${spec}: the server must run as root (or hold CAP_SETUID and CAP_SETGID) to start agents as another user`);
    this.setpriv ??= findSetpriv();
    if (!this.setpriv) throw new AgentUserProblem(`agent user ${spec}: setpriv (util-linux) is not installed; it starts agents with the user's groups`);
    this.cache.set(spec, id);
    return id;
  }

  /** Who a session of `owner` runs as; undefined = the server's own user. */
  identityFor(owner: SessionOwner): AgentIdentity | undefined {
    for (const r of this.resolvers) {
      const spec = r(owner);
      if (spec !== undefined) return this.resolve(spec);
    }
    return this.defaultUser;
  }

  /** The argv that runs `file args` as `id`. */
  argv(id: AgentIdentity, file: string, args: readonly string[]): { command: string; args: string[] } {
    return runAsArgv(this.setpriv!, id, file, args);
  }

  /**
   * The root folder: owned by the server, mode 0711, so agents can reach their own session's
   * folder by name but cannot list the others. A root that is a symlink or someone else's is
   * refused (it could be planted in a shared temp folder).
   */
  private ensureRoot(): Promise<void> {
    this.rootReady ??= (async () => {
      const root = this.opts.runtimeDir;
      await mkdir(root, { recursive: true, mode: 0o711 });
      const st = await lstat(root);
      if (!st.isDirectory() || st.uid !== process.getuid?.()) {
        throw new AgentUserProblem(`agentRuntimeDir ${root} is not a folder owned by the server's user`);
      }
      await chmod(root, 0o711);
    })();
    this.rootReady.catch(() => { this.rootReady = undefined; });
    return this.rootReady;
  }

  /** The session's folder for `id`, mode 0700 and owned by that user, created if needed. */
  async prepare(sessionId: string, id: AgentIdentity): Promise<string> {
    await this.ensureRoot();
    const dir = join(this.opts.runtimeDir, sessionId);
    await mkdir(dir, { mode: 0o700 }).catch((err: NodeJS.ErrnoException) => { if (err.code !== 'EEXIST') throw err; });
    const st = await lstat(dir);
    if (!st.isDirectory()) throw new AgentUserProblem(`agent folder ${dir} is not a folder`);
    await chown(dir, id.uid, id.gid);
    await chmod(dir, 0o700);
    return dir;
  }

  /** Removes a session's folder (the session has ended). */
  async remove(sessionId: string): Promise<void> {
    await rm(join(this.opts.runtimeDir, sessionId), { recursive: true, force: true });
  }
}

/**
 * Writes `data` to `dir/name` mode 0600, owned by `id` when given. The name is unlinked first and
 * created exclusively without following symlinks: the folder may belong to the agent, which could
 * have put a link to a server file there.
 */
export async function writeOwnedFile(dir: string, name: string, data: string, id: AgentIdentity | undefined): Promise<string> {
  const file = join(dir, name);
  await unlink(file).catch((err: NodeJS.ErrnoException) => { if (err.code !== 'ENOENT') throw err; });
  const fh = await open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    await fh.writeFile(data);
    if (id) await fh.chown(id.uid, id.gid);
  } finally {
    await fh.close();
  }
  return file;
}
