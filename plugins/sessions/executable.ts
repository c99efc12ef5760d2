import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { CommandNotFound } from './errors.js';

/** True for a regular file this process may execute. */
export function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * The absolute path an agent command runs from. A name with a slash is taken relative to `cwd`;
 * a bare name is searched on `PATH`. Resolving here means the PTY execs the file directly and no
 * shell ever interprets the command. Throws SESSION_COMMAND_NOT_FOUND.
 */
export function resolveExecutable(command: string, cwd: string, path: string): string {
  if (command.includes('/')) {
    const file = isAbsolute(command) ? command : resolve(cwd, command);
    if (isExecutableFile(file)) return file;
    throw new CommandNotFound(command);
  }
  const found = findOnPath(command, path);
  if (found) return found;
  throw new CommandNotFound(command);
}

/** The first executable `name` in the absolute directories of `path` (relative entries are skipped). */
export function findOnPath(name: string, path: string): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir || !isAbsolute(dir)) continue;
    const file = join(dir, name);
    if (isExecutableFile(file)) return file;
  }
  return undefined;
}

/**
 * The absolute path of an installed package's bin script (`bin` in its package.json, by name when
 * it declares several), resolved from Aegis's own install. Throws when the package is missing or
 * declares no such bin; the caller turns that into its coded error.
 */
export function packageBin(pkg: string, bin: string): string {
  const pkgFile = createRequire(import.meta.url).resolve(`${pkg}/package.json`);
  const manifest = JSON.parse(readFileSync(pkgFile, 'utf8')) as { bin?: string | Record<string, string> };
  const rel = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.[bin];
  if (!rel) throw new Error(`${pkg} declares no ${bin} bin`);
  return join(dirname(pkgFile), rel);
}
