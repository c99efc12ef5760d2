import { rm } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { bearer, buildTestApp, TEST_TOKEN, type TestAppOptions } from '../../test/support/app.js';

/** The generic command driver running `/bin/cat`: real PTY sessions without Claude. */
export const CAT = { command: { command: '/bin/cat', quietMs: 50 } };

/** A test app closed, with its state directory removed, when the test ends. */
export async function testApp(t: { teardown(fn: () => unknown): void }, opts: TestAppOptions = {}): Promise<FastifyInstance> {
  const app = await buildTestApp(opts);
  t.teardown(async () => {
    await app.close();
    await rm(app.config.stateDir, { recursive: true, force: true });
  });
  return app;
}

/** Creates an API key through the API as the master token; returns the key. */
export async function createKey(app: FastifyInstance, body: { name: string; role: string; permissions?: string[] }): Promise<{ key: string }> {
  const res = await app.inject({ method: 'POST', url: '/v1/auth/keys', headers: bearer(TEST_TOKEN), payload: body });
  if (res.statusCode !== 201) throw new Error(`key creation answered ${res.statusCode}: ${res.body}`);
  return { key: (res.json() as { key: string }).key };
}
