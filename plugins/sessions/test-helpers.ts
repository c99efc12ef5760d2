/**
 * The sessions tests' helpers: the shared test kit (test/support) under the names these tests
 * use, and the one way to start the crash-test server. Nothing here is a second implementation.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanup } from '../../test/support/app.js';
export {
  ECHO, TEST_TOKEN as TOKEN, cleanup, sessionsApp as makeApp,
  type SessionsAppOptions as AppOptions, type SessionsTestApp as TestApp,
} from '../../test/support/app.js';
export { nextEvent, pollUntil, waitForText, waitState } from '../../test/support/wait.js';
export { groupGone, processGone, waitGone, waitGroupGone } from '../../test/support/process.js';

/**
 * A server in its own process (fixtures/crash-server.js, env `AEGIS_TEST_*` as it reads them), for
 * tests that kill it with SIGKILL: resolves once it listens, with its port and workDir. At the
 * test's end it is killed if it still runs and its workDir removed.
 */
export async function startCrashServer(
  t: { teardown(fn: () => unknown): void }, env: Record<string, string>,
): Promise<{ server: ChildProcess; port: number; work: string }> {
  const server = spawn(process.execPath, [join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'crash-server.js')], {
    env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  t.teardown(() => { if (server.exitCode === null) server.kill('SIGKILL'); });
  const [line] = await once(createInterface({ input: server.stdout! }), 'line') as [string];
  const { port, work } = JSON.parse(line) as { port: number; work: string };
  t.teardown(() => cleanup(work));
  return { server, port, work };
}
