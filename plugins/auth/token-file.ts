import { randomBytes } from 'node:crypto';
import { readFile, stat, chmod } from 'node:fs/promises';
import { atomicWrite } from '../../kernel/state-dir.js';

/**
 * Returns the master token stored at `file`, creating a strong one (32 random bytes, base64url)
 * with mode 0600 on first use. An existing file readable by others is tightened to 0600.
 */
export async function loadOrCreateToken(file: string): Promise<{ token: string; created: boolean }> {
  try {
    const token = (await readFile(file, 'utf8')).trim();
    if (token.length >= 16) {
      if (((await stat(file)).mode & 0o077) !== 0) await chmod(file, 0o600);
      return { token, created: false };
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const token = `aegis_${randomBytes(32).toString('base64url')}`;
  await atomicWrite(file, token + '\n', 0o600);
  return { token, created: true };
}
