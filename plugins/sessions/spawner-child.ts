/**
 * The spawner: a small plain-Node process that owns the agents' PTYs, so the server's main thread
 * never forks (forking a large process copies its page tables, tens of ms each). It reads requests
 * as JSON lines on stdin and writes output and exits as JSON lines on stdout; node-pty puts the
 * terminal on the agent's fds 0-2, so an agent never holds either pipe. It is started with an empty
 * environment (agents get exactly the env of their request) and exits when its stdin closes,
 * which is also what happens when the server dies, even by SIGKILL: the kernel closes the pipe.
 *
 * Imports only node-pty, node builtins and the process-group helpers (builtins only): it must
 * stay small.
 */
import { constants } from 'node:os';
import { performance } from 'node:perf_hooks';
import { spawn, type IPty } from 'node-pty';
import { type FromSpawner, type ToSpawner, jsonLines } from './spawner-protocol.js';
import { pidStartTime } from './process-group.js';

const ptys = new Map<number, IPty>();
let out: string[] = [];
let flushing = false;

const SIGNALS = new Map<number, string>(Object.entries(constants.signals).map(([n, v]) => [v as number, n]));

function flush(): void {
  if (!out.length) return;
  const lines = out;
  out = [];
  process.stdout.write(lines.join('\n') + '\n');
}

function send(msg: FromSpawner): void {
  out.push(JSON.stringify(msg));
  if (flushing) return;
  flushing = true;
  // One write per turn of the loop: output of many agents travels together.
  setImmediate(() => {
    flushing = false;
    flush();
  });
}

/**
 * Spawns waiting their turn. A fork costs a few ms even here, so a burst is worked off in slices,
 * each followed by a write of what is known: the first processes are reported while later ones
 * are still being forked, instead of all of them after the last.
 */
const spawnQueue: Array<Extract<ToSpawner, { t: 'spawn' }>> = [];
let pumping = false;

function pump(): void {
  const end = performance.now() + 10;
  while (spawnQueue.length && performance.now() < end) start(spawnQueue.shift()!);
  flush();
  if (spawnQueue.length) setImmediate(pump); else pumping = false;
}

function start(msg: Extract<ToSpawner, { t: 'spawn' }>): void {
  let pty: IPty;
  try {
    pty = spawn(msg.file, msg.args, { name: 'xterm-256color', cols: msg.cols, rows: msg.rows, cwd: msg.cwd, env: msg.env });
  } catch (err) {
    send({ t: 'failed', id: msg.id, message: (err as Error).message });
    return;
  }
  ptys.set(msg.id, pty);
  send({ t: 'spawned', id: msg.id, pid: pty.pid, startTime: pidStartTime(pty.pid) });
  pty.onData((data) => send({ t: 'data', id: msg.id, data }));
  pty.onExit(({ exitCode, signal }) => {
    ptys.delete(msg.id);
    send({ t: 'exit', id: msg.id, code: signal ? null : exitCode, signal: signal ? SIGNALS.get(signal) ?? String(signal) : null });
  });
}

function handle(msg: ToSpawner): void {
  if (msg.t === 'spawn') {
    spawnQueue.push(msg);
    if (!pumping) { pumping = true; setImmediate(pump); }
    return;
  }
  const pty = ptys.get(msg.id);
  if (!pty) return;
  try {
    if (msg.t === 'write') pty.write(msg.data);
    else if (msg.t === 'resize') pty.resize(msg.cols, msg.rows);
  } catch {
    // The process just ended; its exit is on its way.
  }
}

/**
 * The server is gone or done. Exiting closes every PTY master, so each agent gets the hang-up it
 * got when the server held the terminals itself; one that ignores it is an orphan the next server
 * finds in its records and ends (restore), as before.
 */
function shutdown(): void {
  process.exit(0);
}

// Signals meant for the server's terminal or service unit are the server's to act on: it stops
// the sessions and then closes our stdin.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => {});
process.stdout.on('error', shutdown);
process.stdin.setEncoding('utf8');
// A malformed line is the server's bug; skipping it keeps the other agents running.
process.stdin.on('data', jsonLines<ToSpawner>(handle, () => {}));
process.stdin.on('end', shutdown);
process.stdin.on('error', shutdown);
