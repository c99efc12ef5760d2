import { join } from 'node:path';
import { pollUntil } from '../../test/support/wait.js';
import { KeyStore } from './keys.js';
import type { CreateKeyInput } from './schema.js';

export { CAT, createKey, testApp } from '../../test/support/app.js';

/**
 * Writes a key into a state directory before the app starts, as if created two days ago with a
 * one-day lifetime: it is expired by the time any request presents it.
 */
export async function seedExpiredKey(stateDir: string, body: Omit<CreateKeyInput, 'ttlDays'>): Promise<{ id: string; key: string }> {
  const store = await KeyStore.open(join(stateDir, 'auth', 'keys.json'), () => Date.now() - 2 * 86_400_000);
  const { record, token } = await store.create({ ...body, ttlDays: 1 }, 'master');
  return { id: record.id, key: token };
}

/** Polls `check` until it holds or `ms` pass; for expiries, which raise no event. */
export const eventually = (check: () => Promise<boolean>, ms = 5000) => pollUntil(check, ms, 25);
