import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { bearer, buildTestApp, TEST_TOKEN, type TestAppOptions } from '../../test/support/app.js';
import { KeyStore } from './keys.js';
import type { CreateKeyInput } from './schema.js';

/** The generic command driver running `/bin/cat`, so session routes have real sessions behind them. */
export const CAT = { command: { command: '/bin/cat', quietMs: 50 } };

/** Builds a test app that is closed, and its state directory removed, when the test ends. */
export async function testApp(t: { teardown(fn: () => unknown): void }, opts: TestAppOptions = {}): Promise<FastifyInstance> {
  const app = await buildTestApp(opts);
  t.teardown(async () => {
    await app.close();
    await rm(app.config.stateDir, { recursive: true, force: true });
  });
  return app;
}

/** Creates an API key through the API (as the master token unless `as` is given) and returns its id and key. */
export async function createKey(app: FastifyInstance, body: CreateKeyInput, as = TEST_TOKEN): Promise<{ id: string; key: string }> {
  const res = await app.inject({ method: 'POST', url: '/v1/auth/keys', headers: bearer(as), payload: body });
  if (res.statusCode !== 201) throw new Error(`key creation answered ${res.statusCode}: ${res.body}`);
  const { id, key } = res.json() as { id: string; key: string };
  return { id, key };
}

/**
 * Writes a key into a state directory before the app starts, as if created two days ago with a
 * one-day lifetime: it is expired by the time any request presents it.
 */
export async function seedExpiredKey(stateDir: string, body: Omit<CreateKeyInput, 'ttlDays'>): Promise<{ id: string; key: string }> {
  const store = await KeyStore.open(join(stateDir, 'auth', 'keys.json'), () => Date.now() - 2 * 86_400_000);
  const { record, token } = await store.create({ ...body, ttlDays: 1 }, 'master');
  return { id: record.id, key: token };
}

/** Polls `check` every 25 ms until it holds or `ms` pass; for expiries, which raise no event. */
export async function eventually(check: () => Promise<boolean>, ms = 5000): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return true;
    await delay(25);
  }
  return check();
}
