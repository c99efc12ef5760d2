import t, { type Test } from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdir, rename, symlink, truncate, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { Writable, PassThrough } from 'node:stream';
import { join } from 'node:path';
import pino from 'pino';
import { readTextFile, writeTextFile } from './fs.js';
import { JsonRpcPeer } from './jsonrpc.js';
import { PermissionQueue } from './permissions.js';
import { Terminals } from './terminals.js';
import { Workspace } from './workspace.js';
import { removeAll, scratch } from './test-helpers.js';

const LIMITS = { maxReadBytes: 64 * 1024, maxWriteBytes: 64 * 1024 };
const outsideCode = { name: 'RpcError', rpcCode: -32602, data: { code: 'AEGIS_ERR_ACP_PATH_OUTSIDE_WORKDIR' } };

async function setup(t: Test) {
  const base = await scratch('aegis-acp-conf-');
  t.teardown(() => removeAll(base));
  const work = join(base, 'work');
  const other = join(base, 'other-tenant');
  await mkdir(join(work, 'sub'), { recursive: true });
  await mkdir(other);
  await writeFile(join(work, 'sub', 'mine.txt'), 'mine');
  await writeFile(join(other, 'secret.txt'), 'secret');
  return { base, work, other };
}

t.test('the root is fixed at start: a renamed workDir with a symlink in its place serves nothing of the other tree', async (t) => {
  const { base, work, other } = await setup(t);
  const ws = Workspace.fix(work);
  await rename(work, join(base, 'moved'));
  await symlink(other, work);
  await t.rejects(readTextFile(ws, { path: join(work, 'secret.txt') }, LIMITS), outsideCode);
  await t.rejects(writeTextFile(ws, { path: join(work, 'planted.txt'), content: 'x' }, LIMITS), outsideCode);
  t.notOk(existsSync(join(other, 'planted.txt')), 'nothing was written into the other tree');
});

t.test('a folder swapped for a symlink between the check and the open is caught at use', async (t) => {
  const { work, other } = await setup(t);
  /** Swaps `sub` for a symlink to the other tree right after the path was checked. */
  class Racing extends (Workspace as unknown as new (root: string) => Workspace) {
    override async resolve(path: unknown, mayNotExist = false): Promise<string> {
      const checked = await super.resolve(path, mayNotExist);
      await rename(join(work, 'sub'), join(work, 'sub-old'));
      await symlink(other, join(work, 'sub'));
      return checked.replace(/mine\.txt$/, 'secret.txt');
    }
  }
  const ws = new Racing(work);
  await t.rejects(readTextFile(ws, { path: join(work, 'sub', 'mine.txt') }, LIMITS), outsideCode, 'the open descriptor is outside, so nothing is read');
});

t.test('a write whose folder is swapped for a symlink leaves nothing behind outside', async (t) => {
  const { work, other } = await setup(t);
  class Racing extends (Workspace as unknown as new (root: string) => Workspace) {
    override async resolve(path: unknown, mayNotExist = false): Promise<string> {
      const checked = await super.resolve(path, mayNotExist);
      await rename(join(work, 'sub'), join(work, 'sub-old'));
      await symlink(other, join(work, 'sub'));
      return checked;
    }
  }
  await t.rejects(writeTextFile(new Racing(work), { path: join(work, 'sub', 'new.txt'), content: 'pwned' }, LIMITS), outsideCode);
  t.notOk(existsSync(join(other, 'new.txt')), 'the file created outside was removed again');
});

t.test('a huge file is refused whole and served only by line ranges within the cap', async (t) => {
  const { work } = await setup(t);
  const big = join(work, 'huge.log');
  await writeFile(big, 'first line\nsecond line\n');
  await truncate(big, 1024 ** 3);
  await t.rejects(readTextFile(Workspace.fix(work), { path: big }, LIMITS), { name: 'RpcError', rpcCode: -32602, message: /line range/ });
  t.same(await readTextFile(Workspace.fix(work), { path: big, line: 2, limit: 1 }, LIMITS), { content: 'second line' });
  await t.rejects(readTextFile(Workspace.fix(work), { path: big, line: 1 }, LIMITS), { name: 'RpcError', rpcCode: -32602, message: /reach past/ });
  await t.rejects(writeTextFile(Workspace.fix(work), { path: join(work, 'w.txt'), content: 'x'.repeat(LIMITS.maxWriteBytes + 1) }, LIMITS), { name: 'RpcError', rpcCode: -32602 });
});

t.test('a FIFO or a device is refused at once instead of hanging a read', async (t) => {
  const { work } = await setup(t);
  execFileSync('mkfifo', [join(work, 'pipe')]);
  await t.rejects(readTextFile(Workspace.fix(work), { path: join(work, 'pipe') }, LIMITS), { name: 'RpcError', rpcCode: -32602, message: /regular file/ });
  await t.rejects(writeTextFile(Workspace.fix(work), { path: join(work, 'pipe'), content: 'x' }, LIMITS), { name: 'RpcError', rpcCode: -32602, message: /regular file/ });
});

t.test('terminal output stays under the cap whatever limit the agent asks for, and terminals are counted', async (t) => {
  const { work } = await setup(t);
  const terms = new Terminals(Workspace.fix(work), { PATH: process.env.PATH ?? '' }, { defaultOutputBytes: 1024, maxOutputBytes: 256 * 1024, maxTerminals: 2 });
  t.teardown(() => terms.disposeAll());
  const yes = await terms.create({ command: 'yes', args: ['aegis'], outputByteLimit: 1e12 });
  // Let `yes` write well past the cap, then stop it: the kept output is the cap at most.
  for (let i = 0; i < 200 && !terms.output(yes).truncated; i++) await new Promise((r) => setTimeout(r, 10));
  await terms.kill(yes);
  const out = terms.output(yes);
  t.equal(out.truncated, true);
  t.ok(Buffer.byteLength(out.output) <= 256 * 1024, `kept ${Buffer.byteLength(out.output)} bytes`);
  await terms.create({ command: 'true' });
  await t.rejects(terms.create({ command: 'true' }), { name: 'RpcError', rpcCode: -32000, data: { code: 'AEGIS_ERR_ACP_TERMINAL_LIMIT' } });
  await terms.release(yes);
  t.resolves(terms.create({ command: 'true' }), 'a released terminal frees its place');
});

t.test('permission requests past the cap get an error instead of being held', async (t) => {
  const q = new PermissionQueue(2);
  const req = { sessionId: 's', toolCall: { toolCallId: 't' }, options: [{ optionId: 'a', name: 'Allow', kind: 'allow_once' as const }] };
  void q.hold(req);
  void q.hold(req);
  await t.rejects(q.hold(req), { name: 'RpcError', rpcCode: -32000, data: { code: 'AEGIS_ERR_ACP_PERMISSION_LIMIT' } });
  q.cancelAll();
});

t.test('an agent that stops reading its input is cut off instead of buffered without bound', async (t) => {
  // A stdin that never drains: every write stays queued.
  const stuck = new Writable({ highWaterMark: 1024, write: () => undefined });
  const peer = new JsonRpcPeer(new PassThrough(), stuck, pino({ level: 'silent' }), 1 << 20, 64 * 1024);
  const pending: Array<Promise<unknown>> = [];
  for (let i = 0; i < 200; i++) pending.push(peer.request('session/prompt', { text: 'x'.repeat(1024) }, 60_000).catch((e) => e));
  t.ok(peer.closed, 'the conversation is closed');
  const failures = await Promise.all(pending);
  t.ok(failures.every((e) => (e as { code?: string }).code === 'AEGIS_ERR_ACP_AGENT_EXITED'), 'every waiting request failed with the reason');
  t.ok(stuck.writableLength < 200 * 1024, `queued ${stuck.writableLength} bytes, not everything`);
});
