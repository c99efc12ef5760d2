import { realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/** One tenant's entry of the config's top-level `tenantWorkdirs`. */
export interface TenantWorkdir {
  /** Every session workDir of the tenant must be at or under this directory. */
  root: string;
  /** Subdirectories of `root` (relative to it) that sessions are further restricted to. */
  allowedPaths?: string[];
}

/** Why a workDir was refused. */
export type WorkdirRefusal = 'outside-root' | 'not-allowed';

/** The outcome of checking a workDir: where it really points, and whether that is allowed. */
export interface WorkdirVerdict {
  resolved: string;
  refusal?: WorkdirRefusal;
}

/** Whether `child` is `parent` or below it, compared by path segments (`/t/a-evil` is not under `/t/a`). */
export function isWithin(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!isAbsolute(rel) && rel.split(sep)[0] !== '..');
}

/**
 * Percent-decodes until nothing changes (bounded), so `%2e%2e` and `%252e%252e` both come out as
 * `..`. A layer anywhere between the client and the filesystem might decode; the check must
 * hold for every reading of the path, not only the literal one.
 */
export function decodeFully(p: string): string {
  let current = p;
  for (let i = 0; i < 5; i++) {
    let next: string;
    try { next = decodeURIComponent(current); } catch { return current; }
    if (next === current) return current;
    current = next;
  }
  return current;
}

/**
 * The real path of `p`: symlinks, `.`, `..`, double and trailing slashes resolved by the
 * filesystem. For a path that does not exist yet, its nearest existing ancestor is resolved and
 * the rest appended, so a symlinked parent cannot smuggle a new folder out of the root.
 */
export async function realResolve(p: string): Promise<string> {
  try {
    return await realpath(p);
  } catch {
    const rest: string[] = [];
    let dir = resolve(p);
    for (;;) {
      try {
        return join(await realpath(dir), ...rest.reverse());
      } catch {
        const parent = dirname(dir);
        if (parent === dir) return resolve(p);
        rest.push(basename(dir));
        dir = parent;
      }
    }
  }
}

/**
 * Checks a session workDir against a tenant's rule: every reading of it (literal and
 * percent-decoded), resolved to a real path, must be at or under the real root and, when
 * `allowedPaths` is set, at or under one of them.
 */
export async function checkWorkdir(workDir: string, rule: TenantWorkdir): Promise<WorkdirVerdict> {
  const root = await realResolve(rule.root);
  const allowed = rule.allowedPaths ? await Promise.all(rule.allowedPaths.map((a) => realResolve(join(root, a)))) : undefined;
  const readings = [...new Set([workDir, decodeFully(workDir)])];
  const resolvedLiteral = await realResolve(workDir);
  for (const reading of readings) {
    if (!isAbsolute(reading)) return { resolved: reading, refusal: 'outside-root' };
    const resolved = reading === workDir ? resolvedLiteral : await realResolve(reading);
    if (!isWithin(resolved, root)) return { resolved, refusal: 'outside-root' };
    if (allowed && !allowed.some((a) => isWithin(a, root) && isWithin(resolved, a))) return { resolved, refusal: 'not-allowed' };
  }
  return { resolved: resolvedLiteral };
}

/** Problems with a tenant's rule that should stop the boot: a relative root or an allowed path leaving the root. */
export function ruleProblem(rule: TenantWorkdir): string | undefined {
  if (!isAbsolute(rule.root)) return `root=${JSON.stringify(rule.root)} is invalid: expected an absolute path`;
  for (const a of rule.allowedPaths ?? []) {
    if (isAbsolute(a) || !isWithin(resolve(rule.root, a), resolve(rule.root))) {
      return `allowedPaths contains ${JSON.stringify(a)}: expected a path relative to root and inside it`;
    }
  }
  return undefined;
}
