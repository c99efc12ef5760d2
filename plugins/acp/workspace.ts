import { constants, realpathSync } from 'node:fs';
import { mkdir, open, readlink, realpath, rmdir, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { AcpPathOutside } from './errors.js';
import { RPC, RpcError } from './jsonrpc.js';

/** ACP's "resource not found" error code. */
export const RESOURCE_NOT_FOUND = -32002;

function outside(path: string): RpcError {
  const e = new AcpPathOutside(path);
  return new RpcError(RPC.invalidParams, e.message, { code: e.code });
}

const within = (root: string, real: string) => real === root || real.startsWith(root.endsWith(sep) ? root : root + sep);

/**
 * The nearest existing ancestor of `path` (itself when it exists), resolved, and the path under
 * it. The missing part holds no symlinks (it does not exist), so this is where a write will land.
 */
async function realOrAncestor(path: string): Promise<{ ancestor: string; target: string }> {
  let p = path;
  for (let i = 0; i < 4096; i++) {
    try {
      const ancestor = await realpath(p);
      return { ancestor, target: join(ancestor, relative(p, path)) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(p) === p) throw err;
      p = dirname(p);
    }
  }
  throw new Error(`no existing ancestor of ${path}`);
}

/** Where an open descriptor really is now (Linux: the kernel's own answer, not a path we built). */
async function whereOpen(fh: FileHandle): Promise<string> {
  return (await readlink(`/proc/self/fd/${fh.fd}`)).replace(/ \(deleted\)$/, '');
}

const rpcFromFs = (err: unknown, path: string): RpcError => {
  if (err instanceof RpcError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new RpcError(RESOURCE_NOT_FOUND, `no such file: ${path}`);
  // ELOOP: the last component is a symlink (opened with O_NOFOLLOW); such files are not served.
  if (code === 'ELOOP') return outside(path);
  // ENXIO: a FIFO with no reader, opened for writing without blocking; EISDIR: a folder.
  if (code === 'ENXIO' || code === 'EISDIR') return new RpcError(RPC.invalidParams, `not a regular file: ${path}`);
  return new RpcError(RPC.internal, (err as Error).message);
};

/**
 * An agent's view of its workDir. The root is fixed once, when the session starts: renaming the
 * workDir later and planting a symlink in its place moves nothing inside. Every file is opened
 * without following a final symlink and without blocking (a FIFO cannot hang the server), and the
 * open descriptor's real location is checked before a byte is read or written through it, so a
 * path component swapped for a symlink between check and use is caught at use.
 */
export class Workspace {
  private constructor(readonly root: string) {}

  /** Fixes the root at the workDir's real path now (or the path as given when it is gone). */
  static fix(workDir: string): Workspace {
    let root = workDir;
    try { root = realpathSync(workDir); } catch { /* a missing workDir serves nothing: every path is then not found */ }
    return new Workspace(root);
  }

  /**
   * The real path of `path` if it lies inside the root after resolving every symlink; otherwise a
   * JSON-RPC error for the agent (carrying ACP_PATH_OUTSIDE_WORKDIR). `mayNotExist` allows a file
   * yet to be written: then its nearest existing ancestor is what must be inside.
   */
  async resolve(path: unknown, mayNotExist = false): Promise<string> {
    if (typeof path !== 'string' || !isAbsolute(path) || path.includes('\0')) throw new RpcError(RPC.invalidParams, 'path must be an absolute path');
    // Lexical `..` first, so a missing directory cannot hide a climb out of the workDir.
    const normal = resolve(path);
    try {
      // Containment is decided before existence, so nothing outside can be probed for.
      const { ancestor, target } = await realOrAncestor(normal);
      if (!within(this.root, ancestor) || !within(this.root, target)) throw outside(path);
      if (mayNotExist) return target;
      const real = await realpath(normal);
      if (!within(this.root, real)) throw outside(path);
      return real;
    } catch (err) {
      throw rpcFromFs(err, path);
    }
  }

  /** Opens a regular file inside the root for reading; the descriptor is checked, not the name. */
  async openForRead(path: string): Promise<FileHandle> {
    const real = await this.resolve(path);
    let fh: FileHandle | undefined;
    try {
      fh = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
      await this.checkOpen(fh, path);
      return fh;
    } catch (err) {
      await fh?.close();
      throw rpcFromFs(err, path);
    }
  }

  /**
   * Opens (creating it and its missing folders) a regular file inside the root for writing, without
   * truncating it yet: the caller truncates through the descriptor once it is known to be inside.
   * A file this call created in a place that turned out to be outside is removed again.
   */
  async openForWrite(path: string): Promise<FileHandle> {
    const target = await this.resolve(path, true);
    const made = await mkdir(dirname(target), { recursive: true }).catch((err) => { throw rpcFromFs(err, path); });
    let fh: FileHandle | undefined;
    let created = false;
    try {
      const flags = constants.O_WRONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
      fh = await open(target, flags | constants.O_CREAT | constants.O_EXCL, 0o644).then((h) => { created = true; return h; })
        .catch((err) => { if ((err as NodeJS.ErrnoException).code === 'EEXIST') return open(target, flags); throw err; });
      await this.checkOpen(fh, path);
      return fh;
    } catch (err) {
      const where = fh ? await whereOpen(fh).catch(() => undefined) : undefined;
      await fh?.close();
      if (created && where) await unlink(where).catch(() => undefined);
      if (made && !within(this.root, await realpath(made).catch(() => this.root))) await rmdir(made).catch(() => undefined);
      throw rpcFromFs(err, path);
    }
  }

  private async checkOpen(fh: FileHandle, path: string): Promise<void> {
    if (!within(this.root, await whereOpen(fh))) throw outside(path);
    if (!(await fh.stat()).isFile()) throw new RpcError(RPC.invalidParams, `not a regular file: ${path}`);
  }
}
