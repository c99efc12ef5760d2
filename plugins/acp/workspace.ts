import { realpath } from 'node:fs/promises';
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

/**
 * The real path of `path` if it lies inside `workDir` after resolving every symlink; otherwise a
 * JSON-RPC error for the agent (carrying ACP_PATH_OUTSIDE_WORKDIR). `mayNotExist` allows a file
 * that is yet to be written: then its nearest existing ancestor is what must be inside.
 */
export async function resolveInside(workDir: string, path: unknown, mayNotExist = false): Promise<string> {
  if (typeof path !== 'string' || !isAbsolute(path)) throw new RpcError(RPC.invalidParams, 'path must be an absolute path');
  const root = await realpath(workDir);
  // Lexical `..` first, so a missing directory cannot hide a climb out of the workDir.
  const normal = resolve(path);
  try {
    // Containment is decided before existence, so nothing outside can be probed for.
    const { ancestor, target } = await realOrAncestor(normal);
    if (!within(root, ancestor) || !within(root, target)) throw outside(path);
    if (mayNotExist) return target;
    const real = await realpath(normal);
    if (!within(root, real)) throw outside(path);
    return real;
  } catch (err) {
    if (err instanceof RpcError) throw err;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new RpcError(RESOURCE_NOT_FOUND, `no such file: ${path}`);
    throw new RpcError(RPC.internal, (err as Error).message);
  }
}
