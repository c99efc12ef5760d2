import t from 'tap';
import { mkdir, mkdtemp, realpath, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildTestApp, bearer, TEST_TOKEN } from '../../test/support/app.js';
import { CAT, createKey, testApp } from '../../test/support/app.js';
import type { AuditRecord } from '../audit/index.js';

/** A tenants tree: tenant-a restricted to projects/ and workspace/, tenant-r to its root only. Removed after the test. */
async function tree(t: { teardown(fn: () => unknown): void }) {
  const base = await realpath(await mkdtemp(join(tmpdir(), 'aegis-tenancy-')));
  t.teardown(() => rm(base, { recursive: true, force: true }));
  const root = join(base, 'tenants', 'a');
  for (const d of ['projects/app', 'workspace', 'private', 'projects/%2e%2e%2f%2e%2e%2f%2e%2e', 'projects/%252e%252e%252f%252e%252e%252f%252e%252e', 'projects/%2e%2e']) {
    await mkdir(join(root, d), { recursive: true });
  }
  for (const d of ['tenants/a-evil', 'tenants/r/work', 'tenants/r-evil', 'outside']) await mkdir(join(base, d), { recursive: true });
  await symlink(join(base, 'outside'), join(root, 'projects', 'escape'));
  const tenantWorkdirs = {
    'tenant-a': { root, allowedPaths: ['projects', 'workspace'] },
    'tenant-r': { root: join(base, 'tenants', 'r') },
  };
  return { base, root, tenantWorkdirs };
}

async function denials(app: FastifyInstance): Promise<AuditRecord[]> {
  const out: AuditRecord[] = [];
  for await (const r of app.audit.find({ action: 'session.action.denied' })) out.push(r);
  return out;
}

const create = (app: FastifyInstance, token: string, workDir: string, extra: Record<string, unknown> = {}) =>
  app.inject({ method: 'POST', url: '/v1/sessions', headers: bearer(token), payload: { workDir, agent: 'command', reuse: false, ...extra } });

t.test('workDirs that escape the tenant root or its allowed paths are refused with 403 and audited', async (t) => {
  const { base, root, tenantWorkdirs } = await tree(t);
  const app = await testApp(t, { plugins: CAT, config: { tenantWorkdirs } });
  const a = (await createKey(app, { name: 'a', role: 'operator', tenantId: 'tenant-a' })).key;
  const r = (await createKey(app, { name: 'r', role: 'operator', tenantId: 'tenant-r' })).key;
  const cases: Array<[string, string, string, string]> = [
    ['dot-dot', a, `${root}/projects/../../a-evil`, 'outside-root'],
    ['symlink out of the root', a, `${root}/projects/escape`, 'outside-root'],
    ['URL-encoded dot-dot', a, `${root}/projects/%2e%2e%2f%2e%2e%2f%2e%2e`, 'outside-root'],
    ['double URL-encoded dot-dot', a, `${root}/projects/%252e%252e%252f%252e%252e%252f%252e%252e`, 'outside-root'],
    ['encoded dot-dot into the unallowed root', a, `${root}/projects/%2e%2e`, 'not-allowed'],
    ['trailing and double slashes', a, `${base}//tenants/a///../a-evil///`, 'outside-root'],
    ['sibling with the root as prefix', a, `${base}/tenants/a-evil`, 'outside-root'],
    ['sibling prefix of a root-only tenant', r, `${base}/tenants/r-evil`, 'outside-root'],
    ['unallowed subdirectory', a, `${root}/private`, 'not-allowed'],
    ['the root itself when allowedPaths is set', a, `${root}/`, 'not-allowed'],
    ['resume into a foreign folder', a, `${base}/outside`, 'outside-root'],
  ];
  for (const [what, token, workDir, reason] of cases) {
    const before = (await denials(app)).length;
    const extra = what.startsWith('resume') ? { resumeSessionId: 'prior-1' } : {};
    const res = await create(app, token, workDir, extra);
    t.equal(res.statusCode, 403, what);
    t.equal(res.json().code, 'AEGIS_ERR_TENANCY_WORKDIR_DENIED', what);
    const after = await denials(app);
    t.equal(after.length, before + 1, `${what}: one audit record`);
    t.match(after.at(-1), { tenantId: token === a ? 'tenant-a' : 'tenant-r', detail: { attempted: 'session.create', reason } }, what);
  }
  t.equal(app.sessions.list().total, 0, 'no session was created');
});

t.test('allowed workDirs, the master token and tenants without a rule are let through', async (t) => {
  const { base, root, tenantWorkdirs } = await tree(t);
  const app = await testApp(t, { plugins: CAT, config: { tenantWorkdirs } });
  const a = (await createKey(app, { name: 'a', role: 'operator', tenantId: 'tenant-a' })).key;
  const r = (await createKey(app, { name: 'r', role: 'operator', tenantId: 'tenant-r' })).key;
  const free = (await createKey(app, { name: 'x', role: 'operator', tenantId: 'tenant-x' })).key;
  for (const [what, token, workDir] of [
    ['allowed path', a, `${root}/projects`],
    ['below an allowed path, trailing slash', a, `${root}/projects/app/`],
    ['double slashes inside', a, `${root}//workspace`],
    ['root-only tenant under its root', r, `${base}/tenants/r/work`],
    ['master token anywhere', TEST_TOKEN, `${base}/outside`],
    ['tenant without a rule anywhere', free, `${base}/outside`],
  ] as const) {
    const res = await create(app, token, workDir);
    t.equal(res.statusCode, 201, what);
  }
  t.equal((await denials(app)).length, 0);
  const owners = app.sessions.list().sessions.map((s) => s.owner.tenantId);
  t.same(owners, ['tenant-a', 'tenant-a', 'tenant-a', 'tenant-r', undefined, 'tenant-x'], 'each session inherits its key tenant');
});

t.test('another tenant sees no trace of a session, and only creators and admins act on it', async (t) => {
  const { root, tenantWorkdirs } = await tree(t);
  const app = await testApp(t, { plugins: CAT, config: { tenantWorkdirs } });
  const creator = (await createKey(app, { name: 'c', role: 'operator', tenantId: 'tenant-a' })).key;
  const colleague = await createKey(app, { name: 'p', role: 'operator', tenantId: 'tenant-a' });
  const tenantAdmin = (await createKey(app, { name: 'ad', role: 'admin', tenantId: 'tenant-a' })).key;
  const stranger = (await createKey(app, { name: 's', role: 'admin', tenantId: 'tenant-b' })).key;
  const id = (await create(app, creator, `${root}/projects`)).json().id as string;
  const get = (token: string, url: string) => app.inject({ method: 'GET', url, headers: bearer(token) });
  for (const url of [`/v1/sessions/${id}`, `/v1/sessions/${id}/metrics`, `/v1/sessions/${id}/pane`]) {
    const res = await get(stranger, url);
    t.equal(res.statusCode, 404, url);
    t.equal(res.json().code, 'AEGIS_ERR_SESSION_NOT_FOUND');
    t.same(res.json().code, (await get(stranger, url.replace(id, '00000000-0000-0000-0000-000000000000'))).json().code, 'same as an unknown id');
  }
  t.equal((await get(stranger, '/v1/sessions')).json().total, 0, 'the list leaves it out');
  const strangerAudit = (await get(stranger, '/v1/audit')).json().records as AuditRecord[];
  t.notOk(strangerAudit.some((rec) => rec.sessionId === id), 'the audit trail leaves it out');

  t.equal((await get(colleague.key, `/v1/sessions/${id}`)).statusCode, 200, 'a colleague may read');
  const send = await app.inject({ method: 'POST', url: `/v1/sessions/${id}/send`, headers: bearer(colleague.key), payload: { text: 'hi' } });
  t.equal(send.statusCode, 403);
  t.equal(send.json().code, 'AEGIS_ERR_SESSION_FORBIDDEN');
  t.match((await denials(app)).at(-1), { actor: colleague.id, tenantId: 'tenant-a', sessionId: id, detail: { reason: 'not-owner' } });
  for (const token of [creator, tenantAdmin]) {
    t.equal((await app.inject({ method: 'POST', url: `/v1/sessions/${id}/send`, headers: bearer(token), payload: { text: 'hi' } })).statusCode, 200);
  }
});

t.test('with sameTenantCanAct every operator of the tenant may act on its sessions', async (t) => {
  const { root, tenantWorkdirs } = await tree(t);
  const app = await testApp(t, { plugins: { ...CAT, tenancy: { sameTenantCanAct: true } }, config: { tenantWorkdirs } });
  const creator = (await createKey(app, { name: 'c', role: 'operator', tenantId: 'tenant-a' })).key;
  const colleague = (await createKey(app, { name: 'p', role: 'operator', tenantId: 'tenant-a' })).key;
  const id = (await create(app, creator, `${root}/projects`)).json().id as string;
  t.equal((await app.inject({ method: 'POST', url: `/v1/sessions/${id}/send`, headers: bearer(colleague), payload: { text: 'hi' } })).statusCode, 200);
});

t.test('a config with tenancy off still boots, keys still carry roles', async (t) => {
  const app = await testApp(t, { plugins: { ...CAT, tenancy: false } });
  t.notOk(app.hasDecorator('tenancy'));
  const viewer = (await createKey(app, { name: 'v', role: 'viewer', tenantId: 't' })).key;
  t.equal((await app.inject({ method: 'GET', url: '/v1/sessions', headers: bearer(viewer) })).statusCode, 200);
  t.equal((await app.inject({ method: 'POST', url: '/v1/sessions', headers: bearer(viewer), payload: { workDir: '/tmp', agent: 'command' } })).statusCode, 403);
});

t.test('an allowed path that leaves the tenant root stops the boot', async (t) => {
  const stateDir = await mkdtemp(join(tmpdir(), 'aegis-tenancy-boot-'));
  t.teardown(() => rm(stateDir, { recursive: true, force: true }));
  const err = await buildTestApp({ stateDir, config: { tenantWorkdirs: { t: { root: '/tenants/t', allowedPaths: ['../other'] } } } }).catch((e: { code?: string }) => e);
  t.equal((err as { code?: string }).code, 'AEGIS_ERR_CONFIG_INVALID');
});

t.test('a session whose workDir was swapped for a symlink out of its root while the server was down is not restored', async (t) => {
  const { base, root, tenantWorkdirs } = await tree(t);
  const first = await buildTestApp({ plugins: CAT, config: { tenantWorkdirs } });
  const stateDir = first.config.stateDir;
  t.teardown(() => rm(stateDir, { recursive: true, force: true }));
  const a = (await createKey(first, { name: 'a', role: 'operator', tenantId: 'tenant-a' })).key;
  const res = await create(first, a, join(root, 'projects', 'app'));
  t.equal(res.statusCode, 201);
  const id = res.json().id as string;
  await first.close();

  // While the server is down, the project folder becomes a link to another tenant's tree.
  await rm(join(root, 'projects', 'app'), { recursive: true });
  await symlink(join(base, 'outside'), join(root, 'projects', 'app'));

  const second = await buildTestApp({ stateDir, plugins: CAT, config: { tenantWorkdirs } });
  t.teardown(() => second.close());
  await second.sessions.whenRestored();
  const back = (await second.inject({ method: 'GET', url: `/v1/sessions/${id}`, headers: bearer() })).json();
  t.equal(back.status, 'exited', 'the agent was not started outside its root');
  t.match(back.reason, /refused on restore/);
  t.match((await denials(second)).at(-1), { tenantId: 'tenant-a', detail: { attempted: 'session.restore', reason: 'outside-root' } }, 'the refusal is audited');
});
