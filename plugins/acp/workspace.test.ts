import t, { type Test } from 'tap';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readTextFile, writeTextFile } from './fs.js';
import { Workspace } from './workspace.js';
import { Terminals } from './terminals.js';
import { removeAll, scratch } from './test-helpers.js';

async function setup(t: Test) {
  const work = await scratch('aegis-acp-ws-');
  const outside = await scratch('aegis-acp-out-');
  t.teardown(() => removeAll(work, outside));
  await writeFile(join(work, 'in.txt'), 'one\ntwo\nthree\n');
  await writeFile(join(outside, 'secret.txt'), 'secret');
  await symlink(outside, join(work, 'link'));
  return { work, outside };
}

const LIMITS = { maxReadBytes: 1 << 20, maxWriteBytes: 1 << 20 };
const TERM_LIMITS = { defaultOutputBytes: 1024, maxOutputBytes: 1 << 20, maxTerminals: 8 };
const outsideCode = { name: 'RpcError', rpcCode: -32602, data: { code: 'AEGIS_ERR_ACP_PATH_OUTSIDE_WORKDIR' } };

t.test('a file inside the workDir is read, whole or by line and limit', async (t) => {
  const { work } = await setup(t);
  t.same(await readTextFile(Workspace.fix(work), { path: join(work, 'in.txt') }, LIMITS), { content: 'one\ntwo\nthree\n' });
  t.same(await readTextFile(Workspace.fix(work), { path: join(work, 'in.txt'), line: 2, limit: 1 }, LIMITS), { content: 'two' });
});

t.test('reads outside the workDir are declined, through .. and through a symlink', async (t) => {
  const { work, outside } = await setup(t);
  await t.rejects(readTextFile(Workspace.fix(work), { path: join(outside, 'secret.txt') }, LIMITS), outsideCode);
  await t.rejects(readTextFile(Workspace.fix(work), { path: join(work, '..', 'nowhere', 'secret.txt') }, LIMITS), outsideCode, 'a missing path outside is refused, not reported missing');
  await t.rejects(readTextFile(Workspace.fix(work), { path: join(work, 'link', 'secret.txt') }, LIMITS), outsideCode);
  await t.rejects(readTextFile(Workspace.fix(work), { path: 'in.txt' }, LIMITS), { name: 'RpcError', rpcCode: -32602, message: /absolute/ });
  await t.rejects(readTextFile(Workspace.fix(work), { path: join(work, 'missing.txt') }, LIMITS), { name: 'RpcError', rpcCode: -32002 });
});

t.test('writes create files and folders inside the workDir only', async (t) => {
  const { work, outside } = await setup(t);
  await writeTextFile(Workspace.fix(work), { path: join(work, 'new', 'deep', 'f.txt'), content: 'hi' }, LIMITS);
  t.equal(await readFile(join(work, 'new', 'deep', 'f.txt'), 'utf8'), 'hi');
  await t.rejects(writeTextFile(Workspace.fix(work), { path: join(work, 'link', 'planted.txt'), content: 'x' }, LIMITS), outsideCode);
  await t.rejects(writeTextFile(Workspace.fix(work), { path: join(work, 'nope', '..', '..', 'escape.txt'), content: 'x' }, LIMITS), outsideCode);
  t.notOk(existsSync(join(outside, 'planted.txt')));
  t.notOk(existsSync(join(work, 'nope')), 'no folder was made for a refused write');
});

t.test('a symlinked file that points outside cannot be overwritten', async (t) => {
  const { work, outside } = await setup(t);
  await symlink(join(outside, 'secret.txt'), join(work, 'trap.txt'));
  await t.rejects(writeTextFile(Workspace.fix(work), { path: join(work, 'trap.txt'), content: 'pwned' }, LIMITS), outsideCode);
  t.equal(await readFile(join(outside, 'secret.txt'), 'utf8'), 'secret');
});

t.test('the workspace accepts the workDir itself', async (t) => {
  const { work } = await setup(t);
  t.equal(await Workspace.fix(work).resolve(work), work);
});

t.test('terminals run without a shell inside the workDir, keep output and refuse a cwd outside', async (t) => {
  const { work, outside } = await setup(t);
  const terms = new Terminals(Workspace.fix(work), { PATH: process.env.PATH ?? '' }, TERM_LIMITS);
  t.teardown(() => terms.disposeAll());
  const { terminalId } = await terms.create({ command: 'pwd', args: [] });
  t.same(await terms.waitForExit({ terminalId }), { exitCode: 0, signal: null });
  t.match(terms.output({ terminalId }), { output: `${work}\n`, truncated: false, exitStatus: { exitCode: 0 } });
  await t.rejects(terms.create({ command: 'pwd', cwd: outside }), outsideCode);
  await t.rejects(terms.create({ command: 'no-such-program-aegis' }), { name: 'RpcError', rpcCode: -32603, data: { code: 'AEGIS_ERR_ACP_REQUEST_DECLINED' } });
  t.throws(() => terms.output({ terminalId: 'term-99' }), { name: 'RpcError', rpcCode: -32002 });
});

t.test('terminal output over the limit keeps the newest bytes; kill ends a running command', async (t) => {
  const { work } = await setup(t);
  const terms = new Terminals(Workspace.fix(work), { PATH: process.env.PATH ?? '' }, TERM_LIMITS);
  t.teardown(() => terms.disposeAll());
  const big = await terms.create({ command: 'seq', args: ['1', '2000'], outputByteLimit: 20 });
  await terms.waitForExit(big);
  const out = terms.output(big);
  t.equal(out.truncated, true);
  t.ok(out.output.endsWith('1999\n2000\n'));
  t.ok(Buffer.byteLength(out.output) <= 20);
  const sleeper = await terms.create({ command: 'sleep', args: ['30'] });
  await terms.kill(sleeper);
  t.match(await terms.waitForExit(sleeper), { signal: 'SIGTERM' });
  await mkdir(join(work, 'sub'));
  const inSub = await terms.create({ command: 'pwd', cwd: join(work, 'sub') });
  await terms.waitForExit(inSub);
  t.equal(terms.output(inSub).output, `${join(work, 'sub')}\n`);
});
