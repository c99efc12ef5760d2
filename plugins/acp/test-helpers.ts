import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bearer, buildTestApp } from '../../test/support/app.js';
import { DIST } from '../../test/support/paths.js';
import { startModelServer } from '../../test/support/model-server.js';
import { createSandboxHome } from '../../test/support/sandbox-home.js';
import '../sessions/index.js';

/** A compiled test fixture (test/fixtures/<name>.ts) as an ACP program run by this Node. */
export function fixture(name: string, ...args: string[]) {
  return { command: process.execPath, args: [join(DIST, 'test', 'fixtures', `${name}.js`), ...args] };
}

/** A fresh folder (real path) for a session's workDir or a state directory. */
export async function scratch(prefix: string): Promise<string> {
  return realpath(await mkdtemp(join(tmpdir(), prefix)));
}

/** Removes scratch folders (teardown). */
export async function removeAll(...dirs: string[]): Promise<void> {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
}

/** An app with sessions and acp on `stateDir`, and a JSON inject helper. */
export async function acpApp(stateDir: string, acp: Record<string, unknown>, sessions: Record<string, unknown> = {}) {
  const app = await buildTestApp({ stateDir, plugins: { sessions: { killGraceMs: 500, ...sessions }, acp } });
  await app.ready();
  const call = async (method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown) => {
    const res = await app.inject({ method, url, headers: bearer(), ...(body === undefined ? {} : { payload: body as object }) });
    return { status: res.statusCode, json: res.json() as any };
  };
  return { app, call };
}

export { nextEvent, waitState } from '../../test/support/wait.js';
export { waitGone } from '../../test/support/process.js';

/**
 * The scripted model server, a sandbox HOME trusting a fresh workDir, and the `plugins.acp`
 * options that point claude-acp at both. Everything is removed at teardown.
 */
export async function claudeSandbox(t: { teardown(fn: () => unknown): void }) {
  const model = await startModelServer();
  const work = await scratch('aegis-claude-acp-work-');
  const sandbox = await createSandboxHome({ baseUrl: model.url, workDirs: [work] });
  t.teardown(async () => { await model.close(); await sandbox.cleanup(); await removeAll(work); });
  // IS_SANDBOX is left out: when it matters (running as root) the driver must set it itself.
  const { IS_SANDBOX: _set, ...env } = sandbox.env;
  return { model, sandbox, work, acp: { env, requestTimeoutMs: 60000 } };
}
