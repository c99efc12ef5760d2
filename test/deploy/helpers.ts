import { execFile, spawnSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/paths.js';

export { REPO_ROOT };

/** The result of a finished child process. */
export interface Ran { code: number; stdout: string; stderr: string }

/** Runs a file (no shell) and resolves with its exit code and output, whatever the code. */
export function runFile(file: string, args: string[], opts: { env?: Record<string, string | undefined>; cwd?: string; timeoutMs?: number; input?: string } = {}): Promise<Ran> {
  return new Promise((resolve) => {
    const child = execFile(file, args, {
      env: { ...process.env, ...opts.env } as NodeJS.ProcessEnv, cwd: opts.cwd, timeout: opts.timeoutMs ?? 60000, maxBuffer: 16 * 1024 * 1024,
    }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** True when `cmd` is on PATH. */
export function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** A fresh temporary folder. */
export const tempDir = (prefix: string) => mkdtemp(join(tmpdir(), prefix));

/** One request a receiver got. */
export interface Received { method: string; path: string; headers: http.IncomingHttpHeaders; body: string; json?: any }

/** A real HTTP receiver on 127.0.0.1 standing in for Discord, Slack or a generic webhook. */
export async function startReceiver(t: { teardown(fn: () => unknown): void }, status = 204) {
  const got: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      let json: unknown;
      try { json = JSON.parse(body); } catch { /* kept raw */ }
      got.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, json });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { got, base };
}

/** Parses a systemd unit file into section -> key -> values (a key may repeat). */
export function parseUnit(text: string): Record<string, Record<string, string[]>> {
  const out: Record<string, Record<string, string[]>> = {};
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const head = /^\[(.+)\]$/.exec(line);
    if (head) { section = head[1]; out[section] ??= {}; continue; }
    const eq = line.indexOf('=');
    if (eq < 0 || !section) throw new Error(`not a unit line: ${raw}`);
    const key = line.slice(0, eq).trim();
    const values = out[section][key] ?? [];
    values.push(line.slice(eq + 1).trim());
    out[section][key] = values;
  }
  return out;
}
