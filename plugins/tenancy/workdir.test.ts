import t from 'tap';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkWorkdir, decodeFully, isWithin, realResolve, ruleProblem } from './workdir.js';

t.test('containment compares path segments, not string prefixes', async (t) => {
  t.ok(isWithin('/tenants/a', '/tenants/a'));
  t.ok(isWithin('/tenants/a/projects/x', '/tenants/a'));
  t.notOk(isWithin('/tenants/a-evil', '/tenants/a'));
  t.notOk(isWithin('/tenants/ab', '/tenants/a'));
  t.notOk(isWithin('/tenants', '/tenants/a'));
  t.ok(isWithin('/tenants/a/..foo', '/tenants/a'), 'a folder named ..foo is inside');
});

t.test('percent-encoding is decoded until it stops changing', async (t) => {
  t.equal(decodeFully('/a/%2e%2e/b'), '/a/../b');
  t.equal(decodeFully('/a/%252e%252e%252fb'), '/a/../b');
  t.equal(decodeFully('/a/100%'), '/a/100%', 'a stray percent is left alone');
});

async function scratch(t: { teardown(fn: () => unknown): void }): Promise<string> {
  const base = await realResolve(await mkdtemp(join(tmpdir(), 'aegis-wd-')));
  t.teardown(() => rm(base, { recursive: true, force: true }));
  return base;
}

t.test('a path that does not exist yet resolves through its real parent', async (t) => {
  const base = await scratch(t);
  await mkdir(join(base, 'outside'));
  await mkdir(join(base, 'root'));
  await symlink(join(base, 'outside'), join(base, 'root', 'link'));
  t.equal(await realResolve(join(base, 'root', 'link', 'new', 'deeper')), join(base, 'outside', 'new', 'deeper'));
  const verdict = await checkWorkdir(join(base, 'root', 'link', 'new'), { root: join(base, 'root') });
  t.equal(verdict.refusal, 'outside-root');
});

t.test('a root reached through a symlink is compared by its real path', async (t) => {
  const base = await scratch(t);
  await mkdir(join(base, 'real', 'projects'), { recursive: true });
  await symlink(join(base, 'real'), join(base, 'alias'));
  t.equal((await checkWorkdir(join(base, 'real', 'projects'), { root: join(base, 'alias'), allowedPaths: ['projects'] })).refusal, undefined);
});

t.test('a rule with a relative root or an allowed path leaving the root is a config problem', async (t) => {
  t.match(ruleProblem({ root: 'tenants/a' }), /absolute/);
  t.match(ruleProblem({ root: '/tenants/a', allowedPaths: ['../b'] }), /allowedPaths/);
  t.match(ruleProblem({ root: '/tenants/a', allowedPaths: ['/etc'] }), /allowedPaths/);
  t.equal(ruleProblem({ root: '/tenants/a', allowedPaths: ['projects', 'work/space'] }), undefined);
});
