import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import type { AegisEvents } from '../../kernel/index.js';
import { bearer, buildTestApp } from '../../test/support/app.js';
import { DIST } from '../../test/support/paths.js';
import { startModelServer } from '../../test/support/model-server.js';
import { createSandboxHome } from '../../test/support/sandbox-home.js';
import type { SessionState } from '../sessions/index.js';
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

/** Resolves with the first `name` event matching `pred`; rejects after `ms`. */
export function nextEvent<K extends keyof AegisEvents>(app: FastifyInstance, name: K, pred: (p: AegisEvents[K]) => boolean, ms = 10000) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`no matching ${name} within ${ms} ms`)), ms); });
  return Promise.race([app.events.once(name, pred), timeout]).finally(() => clearTimeout(timer));
}

/** Resolves once session `id` is in `state` (at once if it is); rejects after `ms`. */
export async function waitState(app: FastifyInstance, id: string, state: SessionState, ms = 10000) {
  // Events are emitted synchronously, so nothing can slip between this check and the subscription.
  if (app.sessions.get(id)?.status !== state) await nextEvent(app, 'session.state-changed', (p) => p.sessionId === id && p.to === state, ms);
  return app.sessions.get(id)!;
}

/**
 * Waits up to `ms` for a process that is not our child to disappear. Its end raises no event we
 * could await, so this looks at a short interval, bounded.
 */
export async function waitGone(pid: number, ms = 5000): Promise<boolean> {
  const gone = () => { try { process.kill(pid, 0); return false; } catch { return true; } };
  for (const until = Date.now() + ms; Date.now() < until;) {
    if (gone()) return true;
    await delay(20);
  }
  return gone();
}

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
