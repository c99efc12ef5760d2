import t from 'tap';
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { chown, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { reply, startModelServer, toolResults, promptTexts } from '../support/model-server.js';
import { buildTestApp } from '../support/app.js';
import { createSandboxHome, quietEnv } from '../support/sandbox-home.js';
import { AGENT_USER, type TestAgentUser, uidOf, withAgentUser } from '../support/agent-user.js';
import { startServer, type ServerProcess } from '../support/server-process.js';
import { Conversations } from '../claude-code/conversations.js';
import { nextEvent, scratch, STATE_MS, turn, waitState, type World } from '../claude-code/world.js';

await withAgentUser(t, run);

async function run(user: TestAgentUser): Promise<void> {
  const model = await startModelServer();
  const conversations = new Conversations(model, reply.text('ok'));
  const world = { model } as World;
  /** A work dir the agent user owns. */
  const workDir = async () => { const d = await scratch('aegis-iso-work-'); await chown(d, user.uid, user.gid); return d; };
  const works = await Promise.all([workDir(), workDir(), workDir()]);
  const rootOnly = await scratch('aegis-iso-rootonly-');
  const sandbox = await createSandboxHome({ baseUrl: model.url, workDirs: works, home: { dir: user.home, owner: user } });
  t.teardown(async () => {
    await model.close();
    await sandbox.cleanup();
    for (const f of ['unboxed-probe.txt', 'boxed-probe.txt']) await rm(join(user.home, f), { force: true });
    for (const d of [...works, rootOnly]) await rm(d, { recursive: true, force: true });
  });

  // The server's own environment, as an operator would set it: the model endpoint and key the
  // agent needs, and a secret meant for the server alone.
  const serverSecret = `server-only-${process.pid}-do-not-leak`;
  const { IS_SANDBOX: _root, ...quiet } = quietEnv();
  Object.assign(process.env, quiet, {
    ANTHROPIC_BASE_URL: model.url, ANTHROPIC_API_KEY: sandbox.apiKey, CLAUDE_CODE_MAX_RETRIES: '0', SERVER_ONLY_SECRET: serverSecret,
  });

  const stateDir = await scratch('aegis-iso-state-');
  const runtimeDir = join(tmpdir(), `aegis-iso-agents-${process.pid}`);
  const denied = ['HTTPS_PROXY', 'NODE_TLS_REJECT_UNAUTHORIZED', 'NODE_EXTRA_CA_CERTS', 'CLAUDE_CONFIG_DIR', 'NODE_OPTIONS'];
  // No AEGIS_AUTH_TOKEN: the master token is generated into <stateDir>/auth-token, the file the agent will try to read.
  const app = await buildTestApp({
    stateDir, env: { AEGIS_AUTH_TOKEN: '' },
    plugins: {
      sessions: { agentUser: AGENT_USER, agentRuntimeDir: runtimeDir, killGraceMs: 2000, requestEnv: ['APP_MODE', ...denied] },
      'claude-code': { sandbox: { tenants: { boxed: true } } },
    },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  t.teardown(async () => { await app.close(); await rm(stateDir, { recursive: true, force: true }); await rm(runtimeDir, { recursive: true, force: true }); });
  const master = (await readFile(app.auth.tokenFile!, 'utf8')).trim();
  const operator = (await app.auth.keys.create({ name: 'acme-op', role: 'operator', tenantId: 'acme' }, 'master')).token;
  const boxed = (await app.auth.keys.create({ name: 'boxed-op', role: 'operator', tenantId: 'boxed' }, 'master')).token;
  const bypasser = (await app.auth.keys.create({ name: 'acme-bypass', role: 'operator', tenantId: 'acme', permissions: ['bypass'] }, 'master')).token;
  const call = async (token: string, method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown) => {
    const res = await app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(body === undefined ? {} : { payload: body as object }) });
    return { status: res.statusCode, json: res.json() as any };
  };

  t.test("a tenant operator's agent runs as the agent user and cannot read the token, the server's environ or the state dir", async (t) => {
    const first = 'isolation: probe the server';
    const probe = [
      'echo probe > probe.txt',
      `echo home > ${user.home}/unboxed-probe.txt`,
      'echo "UID=$(id -u)"',
      `cat ${stateDir}/auth-token`,
      `cat /proc/${process.pid}/environ`,
      `ls ${stateDir}`,
      `ls ${runtimeDir}`,
      'env',
    ].join('; ');
    conversations.script(first, [reply.bash(probe, 'Probe'), reply.text('probed')]);
    const asked = nextEvent(app, 'permission.requested', (p) => p.permission.detail.includes('probe.txt'));
    const res = await call(operator, 'POST', '/v1/sessions', { workDir: works[0], prompt: first, env: { APP_MODE: 'blue' } });
    t.equal(res.status, 201, 'an allowlisted ordinary env name is taken');
    const id = res.json.id as string;
    t.equal(await uidOf(res.json.pid), user.uid, 'the CLI itself runs as the agent user');
    await asked;
    t.equal((await call(operator, 'POST', `/v1/sessions/${id}/approve`, {})).status, 200, 'the operator approves the command');
    const result = await turn(world, first, 2);
    await waitState(app, id, 'idle');
    const out = toolResults(result.body).map((r) => r.text).join('\n');
    t.match(out, new RegExp(`UID=${user.uid}\\b`), "the agent's id -u is the agent user's");
    t.match(out, /auth-token: Permission denied/);
    t.match(out, /environ: Permission denied/);
    t.match(out, new RegExp(`ls: cannot open directory '?${stateDir}'?: Permission denied`));
    t.match(out, new RegExp(`ls: cannot open directory '?${runtimeDir}'?: Permission denied`), "other sessions' folders cannot be listed");
    t.match(out, `ANTHROPIC_BASE_URL=${model.url}`, 'what the agent needs reaches it');
    t.match(out, 'APP_MODE=blue');
    t.match(out, `HOME=${user.home}`);
    t.ok(existsSync(join(user.home, 'unboxed-probe.txt')), 'without the sandbox the agent user may write its own HOME');
    t.notMatch(out, serverSecret, 'a variable set only for the server does not reach the agent');
    t.notMatch(out, master, 'the master token never reaches the agent');
    const transcript = JSON.stringify((await call(operator, 'GET', `/v1/sessions/${id}/transcript`)).json);
    t.match(transcript, 'Permission denied', 'Aegis reads the transcript from the agent user\'s HOME');
    for (const secret of [master, serverSecret]) t.notMatch(transcript, secret, 'the transcript holds no secret');
    const created = (await call(master, 'GET', `/v1/audit?action=session.created&sessionId=${id}`)).json.records[0];
    t.match(created.detail, { permissionMode: 'default', envNames: ['APP_MODE'], agentUser: AGENT_USER });
    await call(operator, 'DELETE', `/v1/sessions/${id}`);
  });

  const noBox = ['bwrap', 'socat'].filter((tool) => { try { execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }); return false; } catch { return true; } });
  const boxSkip = noBox.length ? `Claude Code's sandbox needs ${noBox.join(' and ')} (apt-get install bubblewrap socat)` : false;
  if (boxSkip) t.comment(`skipped: ${boxSkip}`);
  t.test("a tenant with Claude Code's sandbox: Bash runs, but cannot write outside the workDir even where the agent user could", { skip: boxSkip }, async (t) => {
    const first = 'isolation: boxed probe';
    const target = join(user.home, 'boxed-probe.txt');
    conversations.script(first, [reply.bash(`echo inside; echo x > ${target}; echo "status=$?"`, 'Boxed probe'), reply.text('boxed')]);
    const res = await call(boxed, 'POST', '/v1/sessions', { workDir: works[1], prompt: first });
    t.equal(res.status, 201);
    // Sandboxed commands may run without a prompt; if the CLI asks, the operator approves.
    const asked = nextEvent(app, 'permission.requested', (p) => p.sessionId === res.json.id).then(() => call(boxed, 'POST', `/v1/sessions/${res.json.id}/approve`, {}), () => undefined);
    const result = await turn(world, first, 2);
    const out = toolResults(result.body).map((r) => r.text).join('\n');
    t.match(out, 'inside', 'the command ran');
    t.match(out, /status=[1-9]/, 'the write outside the workDir failed');
    t.notOk(existsSync(target), 'nothing was written');
    await waitState(app, res.json.id, 'idle');
    void asked;
    await call(boxed, 'DELETE', `/v1/sessions/${res.json.id}`);
  });

  t.test('loader, proxy, TLS and Claude config variables are refused even when allowlisted', async (t) => {
    for (const name of denied) {
      const res = await call(operator, 'POST', '/v1/sessions', { workDir: works[1], env: { [name]: '1' } });
      t.equal(res.status, 400, name);
      t.match(res.json, { code: 'AEGIS_ERR_SESSION_ENV_DENIED', details: { name } }, name);
    }
  });

  t.test('bypassPermissions needs the bypass permission: 403 audited without it, 201 with it', async (t) => {
    const refused = await call(operator, 'POST', '/v1/sessions', { workDir: works[1], permissionMode: 'bypassPermissions' });
    t.equal(refused.status, 403);
    t.equal(refused.json.code, 'AEGIS_ERR_SESSION_BYPASS_FORBIDDEN');
    const audit = (await call(master, 'GET', '/v1/audit?action=auth.denied')).json.records;
    t.match(audit.at(-1), { action: 'auth.denied', tenantId: 'acme', detail: { permission: 'bypass' } });
    const ok = await call(bypasser, 'POST', '/v1/sessions', { workDir: works[1], permissionMode: 'bypassPermissions' });
    t.equal(ok.status, 201);
    await waitState(app, ok.json.id, 'idle');
    await call(bypasser, 'DELETE', `/v1/sessions/${ok.json.id}`);
  });

  t.test('a workDir the agent user cannot write is a 400 at create, not a broken session', async (t) => {
    const res = await call(operator, 'POST', '/v1/sessions', { workDir: rootOnly });
    t.equal(res.status, 400);
    t.match(res.json, { code: 'AEGIS_ERR_SESSION_WORKDIR_NOT_WRITABLE', details: { user: AGENT_USER } });
  });

  t.test('authenticated health says agents run as the agent user; the open answer says nothing', async (t) => {
    const open = await app.inject({ method: 'GET', url: '/v1/health' });
    t.equal(open.json().detail, undefined);
    const authed = (await call(operator, 'GET', '/v1/health')).json;
    t.match(authed.detail.sessions.isolation, { agentUser: AGENT_USER, serverIsRoot: true });
    t.equal(authed.detail.sessions.isolation.warning, undefined);
  });

  t.test('after a restart the session resumes as the agent user with its conversation', async (t) => {
    const cwd = await scratch('aegis-iso-server-');
    const state = await scratch('aegis-iso-restart-');
    t.teardown(async () => { await rm(cwd, { recursive: true, force: true }); await rm(state, { recursive: true, force: true }); });
    await writeFile(join(cwd, 'aegis.config.json'), JSON.stringify({ version: 1, plugins: { sessions: { agentUser: AGENT_USER, agentRuntimeDir: runtimeDir } } }));
    const token = 'isolation-restart-token-0123456789abcdef';
    const server = (): Promise<ServerProcess> => startServer({ cwd, stateDir: state, env: { AEGIS_AUTH_TOKEN: token, AEGIS_LOG_LEVEL: 'info' }, timeoutMs: STATE_MS });
    const api = (s: ServerProcess) => async (method: 'GET' | 'POST', path: string, body?: unknown) => {
      const res = await fetch(s.url + path, {
        method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return res.json() as Promise<any>;
    };
    /** The other process's events are not ours to await; its status is asked for, bounded. */
    const idle = async (call: ReturnType<typeof api>, id: string) => {
      for (let i = 0; i < STATE_MS / 100; i++) {
        const s = await call('GET', `/v1/sessions/${id}`);
        if (s.status === 'idle') return s;
        await delay(100);
      }
      throw new Error(`session ${id} not idle`);
    };
    const first = 'isolation restart: remember kiwi';
    conversations.script(first, [reply.text('I will remember kiwi.'), reply.text('You said kiwi.')]);
    const one = await server();
    t.teardown(() => one.stop('SIGKILL'));
    const created = await api(one)('POST', '/v1/sessions', { workDir: works[2], prompt: first });
    await turn(world, first, 1);
    await idle(api(one), created.id);
    await one.stop('SIGTERM');

    const two = await server();
    t.teardown(() => two.stop('SIGKILL'));
    const back = await idle(api(two), created.id);
    t.match(back, { id: created.id, agentSessionId: created.agentSessionId, restarts: 1 });
    t.equal(await uidOf(back.pid), user.uid, 'the resumed CLI runs as the agent user too');
    t.equal((await api(two)('POST', `/v1/sessions/${created.id}/send`, { text: 'what did I say?' })).delivered, true);
    const next = await turn(world, first, 2);
    t.same(promptTexts(next.body), [first, 'what did I say?'], 'the resumed agent has the earlier conversation');
    await idle(api(two), created.id);
    const texts = (await api(two)('GET', `/v1/sessions/${created.id}/transcript`)).entries.map((e: any) => e.text);
    t.same(texts.slice(-2), ['what did I say?', 'You said kiwi.']);
    t.equal((await two.stop()).code, 0);
  });
}
