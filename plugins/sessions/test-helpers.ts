import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildApp } from '../../kernel/app.js';
import { loadConfig } from '../../kernel/config/load.js';
import type { Catalogue } from '../../kernel/plugins/types.js';
import { catalogue } from '../index.js';
import type { AegisEvents } from '../../kernel/events.js';
import type { SessionState } from './types.js';
import './index.js';

/** The bearer token every test app accepts. */
export const TOKEN = 'test-token-0123456789abcdef-0123';

/** A program that says it is ready, then answers each line with `got:<line>`. */
export const ECHO = { command: 'bash', args: ['-c', 'echo ready; while IFS= read -r line; do echo "got:$line"; done'] };

export interface TestApp {
  app: FastifyInstance;
  stateDir: string;
  /** A scratch folder to use as workDir. */
  work: string;
  inject(method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; json: any; raw: string }>;
}

export interface AppOptions {
  stateDir?: string;
  sessions?: Record<string, unknown>;
  /** `plugins.command` options; `false` leaves the command driver out. */
  command?: Record<string, unknown> | false;
  /** Extra catalogue entries, all enabled. */
  extra?: Catalogue;
  /** Options of other plugins (the extra ones), by plugin name. */
  plugins?: Record<string, unknown>;
}

/** Builds the app as the server would, with just auth, sessions (and command), on a temp state dir. */
export async function makeApp(opts: AppOptions = {}): Promise<TestApp> {
  const stateDir = opts.stateDir ?? await mkdtemp(join(tmpdir(), 'aegis-sessions-state-'));
  const work = await mkdtemp(join(tmpdir(), 'aegis-sessions-work-'));
  const config = await loadConfig({
    env: { AEGIS_HOST: '127.0.0.1', AEGIS_STATE_DIR: stateDir, AEGIS_AUTH_TOKEN: TOKEN, AEGIS_PORT: '0' },
    cwd: work, home: work,
  });
  // Extras first: plugins that watch routes being added (openapi) must load before sessions.
  const cat: Record<string, Catalogue[string]> = { ...opts.extra, auth: catalogue.auth, sessions: catalogue.sessions };
  if (opts.command !== false) cat.command = catalogue.command;
  config.plugins = { ...opts.plugins, sessions: { killGraceMs: 1000, ...opts.sessions } } as typeof config.plugins;
  // JSON round trip: a key set to undefined in a test means "leave the option out".
  if (opts.command !== false) config.plugins.command = JSON.parse(JSON.stringify({ ...ECHO, quietMs: 150, allowedCommands: ['bash'], ...opts.command }));
  const app = await buildApp(config, { catalogue: cat, logger: pino({ level: 'silent' }) });
  const inject: TestApp['inject'] = async (method, url, body, headers = {}) => {
    const res = await app.inject({
      method, url, headers: { authorization: `Bearer ${TOKEN}`, ...headers },
      ...(body === undefined ? {} : typeof body === 'string' ? { payload: body } : { payload: body as object }),
    });
    let json: unknown;
    try { json = res.json(); } catch { json = undefined; }
    return { status: res.statusCode, json, raw: res.body };
  };
  return { app, stateDir, work, inject };
}

/** Removes temp folders after a test. */
export async function cleanup(...dirs: string[]): Promise<void> {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
}

/** Resolves with the first event matching `predicate`, or rejects after `ms`. */
export function nextEvent<K extends keyof AegisEvents>(
  app: FastifyInstance, name: K, predicate: (p: AegisEvents[K]) => boolean, ms = 5000,
): Promise<AegisEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { off(); reject(new Error(`no ${name} within ${ms} ms`)); }, ms);
    const off = app.events.on(name, (p) => {
      if (predicate(p)) { clearTimeout(timer); off(); resolve(p); }
    });
  });
}

/** Resolves once session `id` is in `state` (at once if it already is); rejects after `ms`. */
export function waitState(app: FastifyInstance, id: string, state: SessionState, ms = 5000): Promise<void> {
  const waiting = nextEvent(app, 'session.state-changed', (p) => p.sessionId === id && p.to === state, ms);
  if (app.sessions.get(id)?.status === state) {
    waiting.catch(() => {});
    return Promise.resolve();
  }
  return waiting.then(() => undefined);
}

/** True when no process has this pid any more (a zombie awaiting its reaper counts as gone). */
export function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

/**
 * Waits up to `ms` for a process that is not our child to disappear. Such an exit raises no event
 * we could await, so this checks at a short interval, bounded.
 */
export function waitGone(pid: number, ms = 5000): Promise<boolean> {
  return pollUntil(() => processGone(pid), ms);
}

/** Checks `done` every 20 ms until it holds or `ms` pass; resolves with its last answer. */
async function pollUntil(done: () => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (done()) return true;
    await delay(20);
  }
  return done();
}

/** True when no live (non-zombie) process is left in process group `pgid`. */
export function groupGone(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
  let procs: string[];
  try { procs = readdirSync('/proc').filter((d) => /^\d+$/.test(d)); } catch { return false; }
  return !procs.some((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return fields[0] !== 'Z' && Number(fields[2]) === pgid;
    } catch {
      return false;
    }
  });
}

/** Waits up to `ms` for process group `pgid` to be empty (bounded, as `waitGone`). */
export function waitGroupGone(pgid: number, ms = 5000): Promise<boolean> {
  return pollUntil(() => groupGone(pgid), ms);
}

/**
 * Resolves with the screen text of session `id` once it matches `re`: checked now and at each of
 * the session's state changes (output always ends in one: idle after the quiet period, or exit).
 * Rejects after `ms`. Robust to output arriving in several pieces.
 */
export function waitForText(app: FastifyInstance, id: string, re: RegExp, ms = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const text = () => app.sessions.pane(id).lines.join('\n');
    const timer = setTimeout(() => { off(); reject(new Error(`screen never matched ${re} within ${ms} ms:\n${text()}`)); }, ms);
    const check = () => {
      const now = text();
      if (!re.test(now)) return;
      clearTimeout(timer);
      off();
      resolve(now);
    };
    const off = app.events.on('session.state-changed', (p) => { if (p.sessionId === id) check(); });
    check();
  });
}
