import t from 'tap';
import { once } from 'node:events';
import { mkdtemp, readFile, readlink, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { SpawnerHost } from './spawner-host.js';
import type { PtyProcess, PtySpawnRequest } from './pty-host.js';
import { terminateGroup } from './process-group.js';
import { findSetpriv, resolveAgentUser, runAsArgv } from './agent-user.js';
import { AGENT_USER, ensureAgentUser } from '../../test/support/agent-user.js';
import { TOKEN, cleanup, makeApp, startCrashServer, processGone, waitGone, waitGroupGone, waitState } from './test-helpers.js';

const log = pino({ level: 'silent' });
const ENV = { PATH: '/usr/bin:/bin', TERM: 'xterm-256color' };

/** One hosted process with its output and exit collected. */
async function run(host: SpawnerHost, script: string, extra: Partial<PtySpawnRequest> = {}) {
  let output = '';
  const waiters: Array<{ re: RegExp; resolve: () => void }> = [];
  let resolveExit!: (e: { code: number | null; signal: string | null }) => void;
  const exit = new Promise<{ code: number | null; signal: string | null }>((r) => { resolveExit = r; });
  const proc: PtyProcess = await host.spawn({ file: '/bin/sh', args: ['-c', script], cwd: tmpdir(), env: ENV, cols: 80, rows: 24, ...extra }, {
    onData: (d) => {
      output += d;
      for (const w of [...waiters]) if (w.re.test(output)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(); }
    },
    onExit: (code, signal) => resolveExit({ code, signal }),
  });
  const seen = (re: RegExp) => re.test(output) ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ re, resolve }));
  return { proc, exit, seen, output: () => output };
}

/** Links of /proc/<pid>/fd, e.g. `pipe:[123]`, `/dev/pts/3`. */
async function fdTargets(pid: number): Promise<string[]> {
  const fds = await readdir(`/proc/${pid}/fd`);
  return Promise.all(fds.map((fd) => readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')));
}

t.test('a hosted process streams its output and reports its exit code', async (t) => {
  const host = new SpawnerHost({ log, killGraceMs: 1000 });
  t.teardown(() => host.close());
  const p = await run(host, 'printf "hello from the pty"; exit 3');
  t.type(p.proc.pid, 'number');
  t.match(p.proc.startTime, /^\d+$/, 'the start time comes with the pid');
  t.same(await p.exit, { code: 3, signal: null });
  t.match(p.output(), /hello from the pty/);
});

t.test('a process ended by a signal is reported with the signal name', async (t) => {
  const host = new SpawnerHost({ log, killGraceMs: 1000 });
  t.teardown(() => host.close());
  const p = await run(host, 'kill -TERM $$');
  t.same(await p.exit, { code: null, signal: 'SIGTERM' });
});

t.test('writes reach the process and a resize changes its terminal size', async (t) => {
  const host = new SpawnerHost({ log, killGraceMs: 1000 });
  t.teardown(() => host.close());
  const p = await run(host, 'echo ready; read l; echo "got:$l"; stty size; exit 0');
  await p.seen(/ready/);
  p.proc.resize(100, 30);
  p.proc.write('hi there\r');
  t.same(await p.exit, { code: 0, signal: null });
  t.match(p.output(), /got:hi there/);
  t.match(p.output(), /30 100/, 'the terminal has the new size');
});

t.test('a process that cannot start is refused with a coded error', async (t) => {
  const host = new SpawnerHost({ log, killGraceMs: 1000 });
  t.teardown(() => host.close());
  const bad = { file: '/bin/sh', args: [], cwd: tmpdir(), env: ENV, cols: 'wide', rows: 24 } as unknown as PtySpawnRequest;
  await t.rejects(host.spawn(bad, { onData() {}, onExit() {} }), { code: 'AEGIS_ERR_SESSION_SPAWN_FAILED' });
  const p = await run(host, 'exit 0');
  t.same(await p.exit, { code: 0, signal: null }, 'the spawner goes on serving');
});

t.test('the server ends a hosted process group, background children included', async (t) => {
  const host = new SpawnerHost({ log, killGraceMs: 1000 });
  t.teardown(() => host.close());
  const p = await run(host, 'sleep 1000 & echo "child:$!"; wait');
  await p.seen(/child:\d+/);
  const child = Number(/child:(\d+)/.exec(p.output())![1]);
  await terminateGroup(p.proc.pid, 1000, p.exit);
  t.same((await p.exit).signal, 'SIGTERM');
  t.ok(await waitGone(child), 'the background child is gone');
  t.ok(await waitGroupGone(p.proc.pid), 'nothing of the group is left');
});

t.test('the spawner has no environment of its own and its pipes never reach an agent', async (t) => {
  process.env.AEGIS_SPAWNER_TEST_SECRET = 'not-for-agents-0123456789';
  t.teardown(() => { delete process.env.AEGIS_SPAWNER_TEST_SECRET; });
  const host = new SpawnerHost({ log, killGraceMs: 1000 });
  t.teardown(() => host.close());
  const p = await run(host, 'echo up; read l');
  await p.seen(/up/);
  const environ = await readFile(`/proc/${host.pid}/environ`, 'utf8');
  // The test runner injects its own variables into every child; none of the server's may be there.
  t.notOk(environ.includes('not-for-agents'), 'the server\'s secret is not in the spawner');
  t.notMatch(environ, /(^|\0)(AEGIS_|PATH=|HOME=)/, 'nor any of the server\'s variables');
  const pipes = (await fdTargets(host.pid!)).filter((l) => l.startsWith('pipe:')).slice(0, 3);
  const agentFds = await fdTargets(p.proc.pid);
  t.equal(pipes.length, 3, 'the spawner talks over its three stdio pipes');
  for (const pipe of pipes) t.notOk(agentFds.includes(pipe), `the agent does not hold ${pipe}`);
  p.proc.write('\r');
  await p.exit;
});

const agentUser = ensureAgentUser();
t.test('an agent running as the agent user can read neither the spawner\'s environment nor its pipes', { skip: 'skip' in agentUser ? agentUser.skip : false }, async (t) => {
  const host = new SpawnerHost({ log, killGraceMs: 1000 });
  t.teardown(() => host.close());
  const probe = [
    'p=$PPID',
    'cat /proc/$p/environ >/dev/null 2>&1 && echo ENV:readable || echo ENV:denied',
    'ls /proc/$p/fd >/dev/null 2>&1 && echo FD:listable || echo FD:denied',
    "(echo '{}' > /proc/$p/fd/0) 2>/dev/null && echo PIPE:writable || echo PIPE:denied",
    'exit 0',
  ].join('; ');
  const argv = runAsArgv(findSetpriv()!, resolveAgentUser(AGENT_USER), '/bin/sh', ['-c', probe]);
  const p = await run(host, '', { file: argv.command, args: argv.args });
  t.same(await p.exit, { code: 0, signal: null });
  t.match(p.output(), /ENV:denied/);
  t.match(p.output(), /FD:denied/);
  t.match(p.output(), /PIPE:denied/);
});

t.test('when the spawner dies its processes are ended and reported, and the next spawn starts a new one', async (t) => {
  const host = new SpawnerHost({ log, killGraceMs: 500 });
  t.teardown(() => host.close());
  // Ignoring the hang-up keeps it alive after its terminal is gone; the host must end it.
  const p = await run(host, "trap '' HUP; echo up; while :; do sleep 1; done");
  await p.seen(/up/);
  const spawner = host.pid!;
  process.kill(spawner, 'SIGKILL');
  t.same(await p.exit, { code: null, signal: 'SIGHUP' }, 'the exit is reported');
  t.ok(await waitGroupGone(p.proc.pid), 'the orphaned group was ended');
  const again = await run(host, 'echo second; exit 0');
  t.not(host.pid, spawner, 'a new spawner runs');
  t.same(await again.exit, { code: 0, signal: null });
  t.match(again.output(), /second/);
});

t.test('a session whose spawner died ends as hung up, and the next session starts on a new spawner', async (t) => {
  const h = await makeApp();
  t.teardown(async () => { await h.app.close(); await cleanup(h.stateDir, h.work); });
  const first = (await h.inject('POST', '/v1/sessions', { workDir: h.work, agent: 'command' })).json as { id: string; pid: number };
  await waitState(h.app, first.id, 'idle');
  const stat = await readFile(`/proc/${first.pid}/stat`, 'utf8');
  const spawner = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  process.kill(spawner, 'SIGKILL');
  const ended = await waitState(h.app, first.id, 'exited');
  t.equal(ended.exitSignal, 'SIGHUP');
  t.equal(ended.reason, 'ended by SIGHUP');
  t.ok(await waitGone(first.pid), 'its agent is gone');
  const second = await h.inject('POST', '/v1/sessions', { workDir: h.work, agent: 'command', reuse: false });
  t.equal(second.status, 201);
  await waitState(h.app, second.json.id as string, 'idle');
  const stat2 = await readFile(`/proc/${second.json.pid as number}/stat`, 'utf8');
  t.not(Number(stat2.slice(stat2.lastIndexOf(')') + 2).split(' ')[1]), spawner, 'it runs under a new spawner');
});

t.test('after a kill -9 of the server neither its spawner nor its agent is left, and the spawner holds no secret', async (t) => {
  const stateDir = await mkdtemp(join(tmpdir(), 'aegis-spawner-crash-'));
  t.teardown(() => cleanup(stateDir));
  const secret = 'a-server-secret-0123456789abcdef';
  const { server, port, work } = await startCrashServer(t, { AEGIS_TEST_STATE_DIR: stateDir, AEGIS_AUTH_TOKEN: secret, AEGIS_TEST_COMMAND: JSON.stringify({ command: 'bash', args: ['-c', 'echo ready; while IFS= read -r l; do echo "got:$l"; done'] }) });
  const res = await fetch(`http://127.0.0.1:${port}/v1/sessions`, {
    method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ workDir: work, agent: 'command' }),
  });
  t.equal(res.status, 201);
  const { pid } = await res.json() as { pid: number };
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const spawner = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  t.not(spawner, server.pid, 'the agent is not the server\'s child');
  const environ = await readFile(`/proc/${spawner}/environ`, 'utf8');
  t.notOk(environ.includes(secret), 'the spawner does not hold the server\'s token');
  t.notOk(processGone(pid));

  server.kill('SIGKILL');
  await once(server, 'exit');
  t.ok(await waitGone(spawner), 'the spawner went with the server');
  t.ok(await waitGone(pid), 'its agent got the hang-up and ended');
});
