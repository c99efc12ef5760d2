import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AUDIT_DIR, KEY_FILE } from './schema.js';
import { auditFiles } from './log.js';
import { verifyChain, type VerifyReport } from './verify.js';

/**
 * `ag audit verify`: checks the chain in `<stateDir>/audit` with the key in the state directory.
 * Never creates anything: a missing key with records present is reported as broken.
 */
export async function verifyStateDir(stateDir: string): Promise<VerifyReport & { error?: string }> {
  const dir = join(stateDir, AUDIT_DIR);
  let key: string;
  try {
    key = (await readFile(join(stateDir, KEY_FILE), 'utf8')).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    const files = await auditFiles(dir);
    return files.length === 0
      ? { ok: true, records: 0, files: 0 }
      : { ok: false, records: 0, files: files.length, error: `no audit key at ${join(stateDir, KEY_FILE)}` };
  }
  return verifyChain(dir, key);
}
