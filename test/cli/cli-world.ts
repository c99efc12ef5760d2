import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DIST } from '../support/paths.js';
import { startServer, type ServerProcess } from '../support/server-process.js';
import { makeWorld, scratch, STATE_MS, type World } from '../claude-code/world.js';
import { runFile, type Ran } from '../deploy/helpers.js';

/** The compiled CLI. */
export const AG = join(DIST, 'bin', 'ag.js');

/** What a CLI test file shares: the scripted model, a real Aegis process, and a way to run `ag`. */
export interface CliWorld {
  world: World;
  server: ServerProcess;
  /** The environment `ag` runs with: the server's URL and state directory, no token variable. */
  env: Record<string, string>;
  ag(args: string[], extra?: Record<string, string>): Promise<Ran>;
  /** Resolves with the first `ag tail --json` line matching `pred`; rejects after `ms`. */
  tailUntil(id: string, pred: (line: any) => boolean, ms?: number): Promise<any>;
}

/**
 * Starts a real Aegis (node dist/server.js) whose Claude Code sessions talk to the scripted model.
 * No AEGIS_AUTH_TOKEN: the server writes its token file and `ag` reads it from the state directory.
 */
export async function makeCliWorld(t: { teardown(fn: () => unknown): void }, dirs = 2, claude: Record<string, unknown> = {}): Promise<CliWorld> {
  const world = await makeWorld(t, dirs);
  const project = await scratch('aegis-cli-project-');
  await writeFile(join(project, 'aegis.config.json'), JSON.stringify({
    version: 1, plugins: { sessions: { killGraceMs: 2000 }, 'claude-code': { env: world.env, ...claude } },
  }));
  const server = await startServer({ cwd: project, env: { AEGIS_AUTH_TOKEN: '', AEGIS_LOG_LEVEL: 'info' } });
  t.teardown(() => server.stop());
  const home = await scratch('aegis-cli-home-');
  const env = { HOME: home, AEGIS_BASE_URL: server.url, AEGIS_STATE_DIR: server.stateDir, AEGIS_AUTH_TOKEN: '', AEGIS_CONFIG: '', NO_COLOR: '1' };
  const ag = (args: string[], extra: Record<string, string> = {}) => runFile(process.execPath, [AG, ...args], { env: { ...env, ...extra }, cwd: home });
  const tailUntil = (id: string, pred: (line: any) => boolean, ms = STATE_MS) => new Promise<any>((resolve, reject) => {
    const child = spawn(process.execPath, [AG, 'tail', id, '--json', '--from-start'], { env: { ...process.env, ...env }, cwd: home, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (c) => (err += c));
    const timer = setTimeout(() => { child.kill('SIGINT'); reject(new Error(`tail ${id}: nothing matched in ${ms} ms; stderr: ${err}`)); }, ms);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const parsed = JSON.parse(line);
      if (pred(parsed)) { clearTimeout(timer); child.kill('SIGINT'); resolve(parsed); }
    });
    child.once('exit', () => { clearTimeout(timer); reject(new Error(`tail ${id} ended before a match; stderr: ${err}`)); });
  });
  return { world, server, env, ag, tailUntil };
}

/** True when the session's tail shows it in `status`. */
export const inState = (status: string) => (l: any) => l.type === 'state' && l.status === status;
