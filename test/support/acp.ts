import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bearer, buildTestApp } from './app.js';
import { DIST } from './paths.js';
import '../../plugins/sessions/index.js';

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
