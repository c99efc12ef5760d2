import t from 'tap';
import { chown, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bearer, buildTestApp } from '../support/app.js';
import { AGENT_USER, type TestAgentUser, uidOf, withAgentUser } from '../support/agent-user.js';
import { startServer } from '../support/server-process.js';
import { fixture } from '../../plugins/acp/test-helpers.js';
import { nextEvent, scratch, waitState } from '../claude-code/world.js';

await withAgentUser(t, run);

async function run(user: TestAgentUser): Promise<void> {
  const stateDir = await scratch('aegis-iso-tenants-state-');
  const work = await scratch('aegis-iso-tenants-work-');
  await chown(work, user.uid, user.gid);
  const app = await buildTestApp({
    stateDir,
    plugins: {
      sessions: { killGraceMs: 500, agentRuntimeDir: join(stateDir, '..', `aegis-iso-tenants-agents-${process.pid}`) },
      tenancy: { agentUsers: { acme: AGENT_USER }, limits: { acme: { maxSessions: 1 } } },
      command: { command: 'bash', args: ['-c', 'echo ready; while IFS= read -r line; do echo "got:$line"; done'], quietMs: 150 },
      acp: { agents: { probe: fixture('acp-agent') }, requestTimeoutMs: 5000 },
    },
  });
  t.teardown(async () => { await app.close(); await rm(stateDir, { recursive: true, force: true }); await rm(work, { recursive: true, force: true }); });
  const key = async (name: string, tenantId?: string, extra: Record<string, unknown> = {}) =>
    (await app.auth.keys.create({ name, role: 'operator', ...(tenantId ? { tenantId } : {}), ...extra }, 'master')).token;
  const acme = await key('acme-op', 'acme');
  const beta = await key('beta-op', 'beta');
  const capped = await key('capped', undefined, { maxSessions: 1 });
  const call = async (token: string, method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown) => {
    const res = await app.inject({ method, url, headers: bearer(token), ...(body === undefined ? {} : { payload: body as object }) });
    return { status: res.statusCode, json: res.json() as any };
  };
  const create = (token: string, body: Record<string, unknown> = {}) => call(token, 'POST', '/v1/sessions', { workDir: work, agent: 'command', reuse: false, ...body });

  t.test("a tenant's agents run as its agent user; another tenant's as the server's user", async (t) => {
    const a = await create(acme);
    t.equal(a.status, 201);
    t.equal(await uidOf(a.json.pid), user.uid);
    const b = await create(beta);
    t.equal(b.status, 201);
    t.equal(await uidOf(b.json.pid), process.getuid!());
    for (const [token, id] of [[acme, a.json.id], [beta, b.json.id]]) await call(token, 'DELETE', `/v1/sessions/${id}?wait=true`);
  });

  t.test('a tenant over its quota gets 429 naming the limit; other tenants still create; a freed slot can be used again', async (t) => {
    const first = await create(acme);
    t.equal(first.status, 201);
    const over = await create(acme);
    t.equal(over.status, 429);
    t.match(over.json, { code: 'AEGIS_ERR_TENANCY_QUOTA', details: { limit: 'tenant:acme', maxSessions: 1 } });
    const other = await create(beta);
    t.equal(other.status, 201, 'another tenant is not affected');
    await call(acme, 'DELETE', `/v1/sessions/${first.json.id}?wait=true`);
    const again = await create(acme);
    t.equal(again.status, 201, 'a killed session frees its slot');
    await call(acme, 'DELETE', `/v1/sessions/${again.json.id}?wait=true`);
    await call(beta, 'DELETE', `/v1/sessions/${other.json.id}`);
  });

  t.test("a key's own maxSessions is a quota of its own", async (t) => {
    const first = await create(capped);
    t.equal(first.status, 201);
    const over = await create(capped);
    t.equal(over.status, 429);
    t.equal(over.json.code, 'AEGIS_ERR_TENANCY_QUOTA');
    t.match(over.json.details.limit, /^key:/);
    await call(capped, 'DELETE', `/v1/sessions/${first.json.id}`);
  });

  t.test("an ACP agent and the terminals it asks for run as the agent user; Aegis does not serve it files with the server's rights", async (t) => {
    const res = await call(acme, 'POST', '/v1/sessions', { workDir: work, agent: 'acp', agentOptions: { agent: 'probe' }, reuse: false });
    t.equal(res.status, 201);
    const id = res.json.id as string;
    await waitState(app, id, 'idle');
    t.equal(await uidOf(app.sessions.get(id)!.pid!), user.uid);
    const asked = nextEvent(app, 'permission.requested', (p) => p.sessionId === id);
    await call(acme, 'POST', `/v1/sessions/${id}/send`, { text: 'run id -u' });
    await asked;
    const idle = waitState(app, id, 'idle');
    await call(acme, 'POST', `/v1/sessions/${id}/approve`, {});
    await idle;
    const last = async () => (await call(acme, 'GET', `/v1/sessions/${id}/transcript`)).json.entries.at(-1).text as string;
    t.equal(await last(), `exit 0: ${user.uid}`);
    await writeFile(join(work, 'note.txt'), 'hello');
    const read = nextEvent(app, 'session.state-changed', (p) => p.sessionId === id && p.to === 'idle');
    await call(acme, 'POST', `/v1/sessions/${id}/send`, { text: `read ${join(work, 'note.txt')}` });
    await read;
    t.match(await last(), /^error: -32601/, 'file requests are declined');
    await call(acme, 'DELETE', `/v1/sessions/${id}`);
  });

  t.test('a root server without an agent user warns once at boot and in authenticated health', async (t) => {
    const server = await startServer({ env: { AEGIS_AUTH_TOKEN: 'isolation-health-token-0123456789abcd' } });
    t.teardown(() => server.stop('SIGKILL'));
    const line = await server.waitForLog((l) => l.isolation === 'none');
    t.match(line, { level: 40, msg: /runs as root.*state directory/ });
    t.equal(server.logs.filter((l) => l.isolation === 'none').length, 1, 'said once');
    const health = await (await fetch(`${server.url}/v1/health`, { headers: bearer('isolation-health-token-0123456789abcd') })).json() as any;
    t.match(health.detail.sessions.isolation, { serverIsRoot: true, warning: /runs as root/ });
    const open = await (await fetch(`${server.url}/v1/health`)).json() as any;
    t.equal(open.detail, undefined, 'nothing without a token');
    await server.stop();
  });
}
