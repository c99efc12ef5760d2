import { mkdir, mkdtemp, realpath, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { AegisEvents } from '../../kernel/events.js';
import type { SessionState } from '../../plugins/sessions/types.js';
import { bearer, buildTestApp } from '../support/app.js';
import { testClaude, type TestClaude } from '../support/claude-cli.js';
import { reply, startModelServer, type ModelServer } from '../support/model-server.js';
import { createSandboxHome, type SandboxHome } from '../support/sandbox-home.js';
import { Conversations } from './conversations.js';
import { nextEvent as kitNextEvent, waitState as kitWaitState } from '../support/wait.js';

/** Per state; the CLI boots in about 5 s, a turn against the scripted server takes well under that. */
export const STATE_MS = 60000;

/** A fresh real-path folder. */
export async function scratch(prefix: string): Promise<string> {
  return realpath(await mkdtemp(join(tmpdir(), prefix)));
}

/** What a test file shares: one scripted model server, one sandbox HOME, trusted work dirs. */
export interface World {
  model: ModelServer;
  sandbox: SandboxHome;
  conversations: Conversations;
  /** Work dirs the sandbox trusts, one per test that needs its own. */
  trusted: string[];
  /** A work dir the sandbox does not trust (the trust dialog shows). */
  untrusted: string;
  /** The sandbox env without IS_SANDBOX: the driver must add it itself where it is needed. */
  env: Record<string, string>;
  /** The CLI under test (`AEGIS_TEST_CLAUDE`), first on the sandbox PATH as `claude`. */
  claude: TestClaude;
}

/** Sets up the world and removes it at teardown. */
export async function makeWorld(t: { teardown(fn: () => unknown): void }, dirs = 8): Promise<World> {
  const model = await startModelServer();
  const conversations = new Conversations(model, reply.text('ok'));
  const trusted = await Promise.all(Array.from({ length: dirs }, () => scratch('aegis-cc-work-')));
  const untrusted = await scratch('aegis-cc-untrusted-');
  const sandbox = await createSandboxHome({ baseUrl: model.url, workDirs: [...trusted, untrusted], untrusted: [untrusted] });
  // The driver finds `claude` on the agent's PATH, in process and in a server process alike.
  const claude = testClaude();
  const bin = join(sandbox.home, 'bin');
  await mkdir(bin);
  await symlink(claude.path, join(bin, 'claude'));
  sandbox.env.PATH = `${bin}:${sandbox.env.PATH}`;
  t.teardown(async () => {
    await model.close();
    await sandbox.cleanup();
    for (const d of [...trusted, untrusted]) await rm(d, { recursive: true, force: true });
  });
  const { IS_SANDBOX: _root, ...env } = sandbox.env;
  return { model, sandbox, conversations, trusted, untrusted, env, claude };
}

/** An in-process Aegis listening on 127.0.0.1 (hooks need a real port), driven through inject. */
export async function makeApp(t: { teardown(fn: () => unknown): void }, world: World, claude: Record<string, unknown> = {}) {
  const stateDir = await scratch('aegis-cc-state-');
  const app = await buildTestApp({ stateDir, plugins: { sessions: { killGraceMs: 2000 }, 'claude-code': { env: world.env, ...claude } } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  t.teardown(async () => { await app.close(); await rm(stateDir, { recursive: true, force: true }); });
  const call = async (method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown) => {
    const res = await app.inject({ method, url, headers: bearer(), ...(body === undefined ? {} : { payload: body as object }) });
    return { status: res.statusCode, json: res.json() as any };
  };
  return { app, call, stateDir };
}

/** Resolves with the first `name` event matching `pred`; rejects after `ms`. */
export function nextEvent<K extends keyof AegisEvents>(app: FastifyInstance, name: K, pred: (p: AegisEvents[K]) => boolean, ms = STATE_MS) {
  return kitNextEvent(app, name, pred, ms);
}

/** Resolves once session `id` is in `state` (at once if it is); rejects after `ms` with its screen. */
export async function waitState(app: FastifyInstance, id: string, state: SessionState, ms = STATE_MS) {
  try {
    return await kitWaitState(app, id, state, ms);
  } catch (err) {
    const pane = app.sessions.pane(id).lines.filter((l) => l.trim()).slice(-12).join('\n');
    throw new Error(`${(err as Error).message}; status ${app.sessions.get(id)?.status}; screen:\n${pane}`);
  }
}

/** Resolves with the `n`-th turn request (1-based) of the conversation that starts with `first`. */
export function turn(world: World, first: string, n: number, ms = STATE_MS) {
  let seen = 0;
  return world.model.waitForRequest((r) => r.kind === 'turn' && Conversations.key(r) === first && ++seen === n, ms);
}
