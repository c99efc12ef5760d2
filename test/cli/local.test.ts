import t from 'tap';
import { spawn } from 'node:child_process';
import { chmod, chown, mkdir, readFile, stat } from 'node:fs/promises';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { scratch } from '../claude-code/world.js';
import { startServer } from '../support/server-process.js';
import { runFile } from '../deploy/helpers.js';
import { AG } from './cli-world.js';
import { openPathForOthers } from '../support/agent-user.js';
import { REPO_ROOT } from '../support/paths.js';

// A real Aegis without agents: doctor's port row, and the server the client commands reach.
const server = await startServer({ env: { AEGIS_AUTH_TOKEN: '' } });
t.teardown(() => server.stop());
const home = await scratch('aegis-cli-local-');
const work = home;
const env = { HOME: home, AEGIS_BASE_URL: server.url, AEGIS_STATE_DIR: server.stateDir, AEGIS_AUTH_TOKEN: '', AEGIS_CONFIG: '', NO_COLOR: '1' };
const ag = (args: string[], extra: Record<string, string> = {}) => runFile(process.execPath, [AG, ...args], { env: { ...env, ...extra }, cwd: home });
const cw = { server, env };

/** The one line `ag` prints on a failure: `ag: <message> [<CODE>]`, never a stack. */
function failure(t: { equal: (...a: any[]) => void; match: (...a: any[]) => void; notMatch: (...a: any[]) => void }, r: { code: number; stdout: string; stderr: string }, exit: number, code: string) {
  t.equal(r.code, exit, `exit ${exit}: ${r.stderr}`);
  t.match(r.stderr, new RegExp(`^ag: .+ \\[${code}\\]`));
  t.equal(r.stderr.trim().split('\n').length, 1, 'one line');
  t.notMatch(r.stderr, /\n\s+at /, 'no stack trace');
}

t.test('doctor passes next to a running Aegis and names it on the port row', async (t) => {
  const r = await ag(['doctor', '--json'], { AEGIS_PORT: String(cw.server.port), AEGIS_HOST: '127.0.0.1' });
  const report = JSON.parse(r.stdout);
  t.equal(r.code, 0, JSON.stringify(report.checks.filter((c: any) => c.status === 'fail')));
  t.match(report.checks.find((c: any) => c.name === 'port'), { status: 'pass', detail: /in use by Aegis/ });
  t.same(report.checks.map((c: any) => c.name), ['node', 'config', 'agent: claude', 'agent: claude-agent-acp', 'state dir', 'state dir writable', 'auth token', 'port', 'audit chain']);
  const human = await ag(['doctor'], { AEGIS_PORT: String(cw.server.port), AEGIS_HOST: '127.0.0.1' });
  t.match(human.stdout, /^CHECK\s+RESULT\s+DETAIL$/m);
  t.match(human.stdout, /^all checks passed$/m);
});

t.test('doctor fails the port row when another program holds the port, and exits 1', async (t) => {
  const squatter = net.createServer();
  await new Promise<void>((r) => squatter.listen(0, '127.0.0.1', r));
  t.teardown(() => squatter.close());
  const port = (squatter.address() as AddressInfo).port;
  const r = await ag(['doctor', '--json'], { AEGIS_PORT: String(port), AEGIS_HOST: '127.0.0.1' });
  t.equal(r.code, 1);
  const rows = JSON.parse(r.stdout).checks;
  t.match(rows.find((c: any) => c.name === 'port'), { status: 'fail', detail: /in use by another program/ });
  t.same(rows.filter((c: any) => c.status === 'fail').map((c: any) => c.name), ['port'], 'only that row');
  const human = await ag(['doctor'], { AEGIS_PORT: String(port), AEGIS_HOST: '127.0.0.1' });
  t.match(human.stdout, /^port\s+FAIL\s+/m);
  t.match(human.stdout, /^1 check\(s\) failed$/m);
});

t.test('doctor fails the writable row for a state directory it cannot write, and exits 1', async (t) => {
  const dir = await scratch('aegis-doctor-ro-');
  const state = join(dir, 'state');
  await mkdir(state, { mode: 0o700 });
  const opts: { uid?: number; gid?: number } = {};
  if (process.getuid?.() === 0) {
    // root writes anywhere: run doctor as nobody, owning a state dir it may read but not write.
    // nobody must be able to reach the checkout's `ag` (a clone under a 0700 folder keeps it out).
    const opened = openPathForOthers(REPO_ROOT);
    if (opened.length) t.comment(`added o+x (search only) to ${opened.join(', ')} so nobody can run ag`);
    await chown(dir, 65534, 65534);
    await chown(state, 65534, 65534);
    opts.uid = 65534;
    opts.gid = 65534;
  }
  await chmod(state, 0o500);
  const r = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
    const child = spawn(process.execPath, [AG, 'doctor', '--json'], {
      env: { ...process.env, ...cw.env, HOME: dir, AEGIS_STATE_DIR: state, AEGIS_PORT: '0', AEGIS_HOST: '127.0.0.1' }, cwd: dir, ...opts, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout!.on('data', (c) => (stdout += c));
    child.once('exit', (code) => resolve({ code, stdout }));
  });
  t.equal(r.code, 1);
  const rows = JSON.parse(r.stdout).checks;
  t.match(rows.find((c: any) => c.name === 'state dir writable'), { status: 'fail', detail: /cannot write/ });
  t.match(rows.find((c: any) => c.name === 'state dir'), { status: 'pass' }, 'it exists and is private');
  t.equal((await stat(state)).mode & 0o777, 0o500, 'doctor changed nothing');
});

t.test('a down server gives one line with the URL and exit 3, for every client command', async (t) => {
  const closed = net.createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((r) => closed.close(r));
  const down = { AEGIS_BASE_URL: `http://127.0.0.1:${port}` };
  for (const args of [['ls'], ['show', 'x'], ['create', 'b', '--cwd', work], ['keys', 'ls'], ['audit', 'export']]) {
    const r = await ag(args, down);
    failure(t, r, 3, 'AEGIS_ERR_CLI_UNREACHABLE');
    t.match(r.stderr, new RegExp(`127\\.0\\.0\\.1:${port}`), args.join(' '));
  }
});

t.test('init writes a config and a 0600 token, refuses to overwrite without --force', async (t) => {
  const dir = await scratch('aegis-init-');
  const config = join(dir, 'aegis', 'config.yaml');
  const args = ['init', '--yes', '--config', config, '--state-dir', join(dir, 'state'), '--port', '9911', '--json'];
  const r = await ag(args);
  t.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  t.match(out, { config, tokenCreated: true, tokenFile: join(dir, 'state', 'auth-token') });
  t.equal((await stat(config)).mode & 0o777, 0o600);
  t.equal((await stat(out.tokenFile)).mode & 0o777, 0o600);
  t.equal((await stat(join(dir, 'state'))).mode & 0o777, 0o700);
  t.match(await readFile(config, 'utf8'), /port: 9911/);
  t.match(await readFile(out.tokenFile, 'utf8'), /^aegis_[A-Za-z0-9_-]{40,}\n$/);
  failure(t, await ag(args.filter((a) => a !== '--json')), 1, 'AEGIS_ERR_CLI_CONFIG_EXISTS');
  const again = await ag([...args, '--force']);
  t.equal(again.code, 0);
  t.match(JSON.parse(again.stdout), { tokenCreated: false }, 'the token is kept');
  const bad = await ag(['init', '--yes', '--config', join(dir, 'other.yaml'), '--port', 'eighty']);
  failure(t, bad, 2, 'AEGIS_ERR_CLI_BAD_ARGUMENT');
});

t.test('--help works on every command and usage errors exit 2', async (t) => {
  const commands = ['serve', 'version', 'init', 'doctor', 'create', 'ls', 'show', 'send', 'approve', 'reject', 'interrupt', 'kill', 'tail', 'keys', 'keys create', 'keys ls', 'keys revoke', 'audit', 'audit verify', 'audit export', 'mcp'];
  for (let i = 0; i < commands.length; i += 4) {
    const batch = commands.slice(i, i + 4);
    const runs = await Promise.all(batch.map((c) => runFile(process.execPath, [AG, ...c.split(' '), '--help'])));
    batch.forEach((c, j) => {
      t.equal(runs[j].code, 0, c);
      t.match(runs[j].stdout, new RegExp(`^Usage: ag ${c}`), c);
    });
  }
  t.equal((await ag(['create'])).code, 2, 'missing brief');
  t.equal((await ag(['create', 'x', '--mode', 'yolo'])).code, 2, 'a mode that does not exist');
  t.equal((await ag(['frobnicate'])).code, 2, 'an unknown command');
});
