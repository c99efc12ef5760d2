import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, readFile, stat } from 'node:fs/promises';
import { atomicWrite } from './state-dir.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Compares two secrets in constant time (hashing first, so lengths leak nothing). */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/**
 * Returns the secret stored at `file`, creating a strong one (32 random bytes, base64url, with
 * `prefix`) with mode 0600 on first use. An existing file readable by others is tightened to 0600.
 */
export async function loadOrCreateSecret(file: string, prefix = ''): Promise<{ secret: string; created: boolean }> {
  try {
    const secret = (await readFile(file, 'utf8')).trim();
    if (secret.length >= 16) {
      if (((await stat(file)).mode & 0o077) !== 0) await chmod(file, 0o600);
      return { secret, created: false };
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const secret = `${prefix}${randomBytes(32).toString('base64url')}`;
  await atomicWrite(file, secret + '\n', 0o600);
  return { secret, created: true };
}
