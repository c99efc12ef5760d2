import t from 'tap';
import { chmod, lstat, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agentCanWrite, resolveAgentUser, runAsArgv, type AgentIdentity } from './agent-user.js';
import { writeOwnedFile } from './agent-runtime.js';

const someone: AgentIdentity = { spec: '4242:4242', user: '4242', uid: 4242, gid: 4242, groups: [4242] };

t.test('root, group 0 and unknown users are refused as agent users', async (t) => {
  t.throws(() => resolveAgentUser('root'), { name: 'AgentUserProblem', message: /root/ });
  t.throws(() => resolveAgentUser('0:0'), { name: 'AgentUserProblem', message: /root/ });
  t.throws(() => resolveAgentUser('4242:0'), { name: 'AgentUserProblem', message: /group 0/ });
  t.throws(() => resolveAgentUser('no-such-user-aegis'), /does not exist/);
});

t.test('uid:gid without a passwd entry is taken as given, with no HOME of its own', async (t) => {
  t.match(resolveAgentUser('4242:4243'), { uid: 4242, gid: 4243, groups: [4243], user: '4242', home: undefined });
});

t.test('setpriv gets the uid, gid, exactly the groups, no capabilities and no_new_privs, then the program', async (t) => {
  t.same(runAsArgv('/usr/bin/setpriv', { ...someone, groups: [4242, 27] }, '/bin/claude', ['--x']), {
    command: '/usr/bin/setpriv',
    args: ['--reuid=4242', '--regid=4242', '--groups=4242,27', '--inh-caps=-all', '--no-new-privs', '--', '/bin/claude', '--x'],
  });
});

t.test('a workDir counts as writable only when the mode bits let the agent user write and reach it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'aegis-agent-write-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await chmod(dir, 0o700);
  t.equal(await agentCanWrite(someone, dir), false, 'owned by someone else, closed');
  await chmod(dir, 0o777);
  t.equal(await agentCanWrite(someone, dir), true, 'open to others');
  await chmod(dir, 0o775);
  t.equal(await agentCanWrite({ ...someone, groups: [4242, process.getgid!()] }, dir), true, 'through a group it is in');
  t.equal(await agentCanWrite(someone, dir), false, 'not through a group it is not in');
  const inner = join(dir, 'inner');
  await import('node:fs/promises').then((fs) => fs.mkdir(inner, { mode: 0o777 }));
  await chmod(inner, 0o777);
  await chmod(dir, 0o770);
  t.equal(await agentCanWrite(someone, inner), false, 'a folder above it cannot be searched');
});

t.test('files for the agent are written fresh and private, never through a link planted in their place', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'aegis-agent-files-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const victim = join(dir, 'victim');
  await writeFile(victim, 'keep me');
  await symlink(victim, join(dir, 'settings.json'));
  const file = await writeOwnedFile(dir, 'settings.json', '{"hooks":{}}', undefined);
  t.equal(await readFile(victim, 'utf8'), 'keep me', 'the link target is untouched');
  const st = await lstat(file);
  t.ok(st.isFile(), 'a regular file replaced the link');
  t.equal(st.mode & 0o777, 0o600);
  t.equal(await readFile(file, 'utf8'), '{"hooks":{}}');
});
