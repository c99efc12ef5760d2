import t, { type Test } from 'tap';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cleanup, makeApp, waitState, type TestApp } from './test-helpers.js';

let h: TestApp;
let idle: string;
t.before(async () => {
  h = await makeApp();
  idle = (await h.inject('POST', '/v1/sessions', { workDir: h.work, agent: 'command' })).json.id;
  await waitState(h.app, idle, 'idle');
});
t.teardown(async () => {
  await h.app.close();
  await cleanup(h.stateDir, h.work);
});

/** After every refusal the server must still answer a normal request. */
async function stillAnswers(t: Test): Promise<void> {
  const res = await h.inject('GET', `/v1/sessions/${idle}`);
  t.equal(res.status, 200, 'the server still answers');
}

type Case = [name: string, method: 'POST' | 'GET' | 'DELETE', url: () => string, body: () => unknown, status: number, code: string];
const cases: Case[] = [
  ['a missing workDir', 'POST', () => '/v1/sessions', () => ({ agent: 'command' }), 400, 'AEGIS_ERR_VALIDATION'],
  ['a relative workDir', 'POST', () => '/v1/sessions', () => ({ workDir: 'some/dir', agent: 'command' }), 400, 'AEGIS_ERR_SESSION_WORKDIR_RELATIVE'],
  ['a workDir that does not exist', 'POST', () => '/v1/sessions', () => ({ workDir: '/nonexistent/aegis/dir', agent: 'command' }), 400, 'AEGIS_ERR_SESSION_WORKDIR_NOT_FOUND'],
  ['a workDir that is a file', 'POST', () => '/v1/sessions', () => ({ workDir: join(h.work, 'a-file'), agent: 'command' }), 400, 'AEGIS_ERR_SESSION_WORKDIR_NOT_DIRECTORY'],
  ['a denied env name (LD_PRELOAD)', 'POST', () => '/v1/sessions', () => ({ workDir: h.work, agent: 'command', env: { LD_PRELOAD: '/x.so' } }), 400, 'AEGIS_ERR_SESSION_ENV_DENIED'],
  ['a denied env suffix (_API_KEY)', 'POST', () => '/v1/sessions', () => ({ workDir: h.work, agent: 'command', env: { OPENAI_API_KEY: 'k' } }), 400, 'AEGIS_ERR_SESSION_ENV_DENIED'],
  ['an env name not on the request allowlist (none by default)', 'POST', () => '/v1/sessions', () => ({ workDir: h.work, agent: 'command', env: { FOO: '1' } }), 400, 'AEGIS_ERR_SESSION_ENV_DENIED'],
  ['an invalid env name', 'POST', () => '/v1/sessions', () => ({ workDir: h.work, agent: 'command', env: { 'A=B': 'x' } }), 400, 'AEGIS_ERR_SESSION_ENV_INVALID'],
  ['an unknown permissionMode', 'POST', () => '/v1/sessions', () => ({ workDir: h.work, agent: 'command', permissionMode: 'yolo' }), 400, 'AEGIS_ERR_VALIDATION'],
  ['an unknown agent', 'POST', () => '/v1/sessions', () => ({ workDir: h.work, agent: 'nope' }), 400, 'AEGIS_ERR_SESSION_UNKNOWN_AGENT'],
  ['the default agent when it is not installed', 'POST', () => '/v1/sessions', () => ({ workDir: h.work }), 400, 'AEGIS_ERR_SESSION_UNKNOWN_AGENT'],
  ['an unknown field', 'POST', () => '/v1/sessions', () => ({ workDir: h.work, agent: 'command', colour: 'red' }), 400, 'AEGIS_ERR_VALIDATION'],
  ['a command the config does not allow', 'POST', () => '/v1/sessions', () => ({ workDir: h.work, agent: 'command', agentOptions: { command: 'rm' } }), 400, 'AEGIS_ERR_COMMAND_NOT_ALLOWED'],
  ['a resume id with shell characters', 'POST', () => '/v1/sessions', () => ({ workDir: h.work, agent: 'command', resumeSessionId: '$(id)' }), 400, 'AEGIS_ERR_VALIDATION'],
  ['malformed JSON', 'POST', () => '/v1/sessions', () => '{"workDir": ', 400, 'AEGIS_ERR_INVALID_JSON'],
  ['a body over 1 MiB', 'POST', () => '/v1/sessions', () => (JSON.stringify({ workDir: h.work, prompt: 'x'.repeat(1100000) })), 413, 'AEGIS_ERR_BODY_TOO_LARGE'],
  ['an unknown id', 'GET', () => '/v1/sessions/no-such-session', () => undefined, 404, 'AEGIS_ERR_SESSION_NOT_FOUND'],
  ['send to an unknown id', 'POST', () => '/v1/sessions/no-such-session/send', () => ({ text: 'x' }), 404, 'AEGIS_ERR_SESSION_NOT_FOUND'],
  ['delete of an unknown id', 'DELETE', () => '/v1/sessions/no-such-session', () => undefined, 404, 'AEGIS_ERR_SESSION_NOT_FOUND'],
  ['an empty message', 'POST', () => `/v1/sessions/${idle}/send`, () => ({ text: '' }), 400, 'AEGIS_ERR_VALIDATION'],
  ['approve with nothing pending', 'POST', () => `/v1/sessions/${idle}/approve`, () => undefined, 409, 'AEGIS_ERR_SESSION_NOTHING_PENDING'],
  ['approve an option with nothing pending', 'POST', () => `/v1/sessions/${idle}/approve`, () => ({ option: 1 }), 409, 'AEGIS_ERR_SESSION_NOTHING_PENDING'],
  ['reject with nothing pending', 'POST', () => `/v1/sessions/${idle}/reject`, () => undefined, 409, 'AEGIS_ERR_SESSION_NOTHING_PENDING'],
  ['answer with no question', 'POST', () => `/v1/sessions/${idle}/answer`, () => ({ option: 1 }), 409, 'AEGIS_ERR_SESSION_NO_QUESTION'],
  ['an answer that is neither option nor text', 'POST', () => `/v1/sessions/${idle}/answer`, () => ({ pick: 1 }), 400, 'AEGIS_ERR_VALIDATION'],
  ['an unknown transcript cursor', 'GET', () => `/v1/sessions/${idle}/transcript/cursor?before_id=nope`, () => undefined, 400, 'AEGIS_ERR_SESSION_CURSOR_INVALID'],
  ['an unknown list cursor', 'GET', () => '/v1/sessions?cursor=garbage', () => undefined, 400, 'AEGIS_ERR_SESSION_CURSOR_INVALID'],
  ['an unknown status filter', 'GET', () => '/v1/sessions?status=sleeping', () => undefined, 400, 'AEGIS_ERR_VALIDATION'],
  ['an offset of Infinity', 'GET', () => '/v1/sessions?offset=Infinity', () => undefined, 400, 'AEGIS_ERR_VALIDATION'],
  ['an offset of 1e999', 'GET', () => '/v1/sessions?offset=1e999', () => undefined, 400, 'AEGIS_ERR_VALIDATION'],
  ['an offset of -Infinity', 'GET', () => '/v1/sessions?offset=-Infinity', () => undefined, 400, 'AEGIS_ERR_VALIDATION'],
  ['a limit of Infinity', 'GET', () => '/v1/sessions?limit=Infinity', () => undefined, 400, 'AEGIS_ERR_VALIDATION'],
  ['a transcript limit of Infinity', 'GET', () => `/v1/sessions/${idle}/transcript?limit=Infinity`, () => undefined, 400, 'AEGIS_ERR_VALIDATION'],
  ['a JSON number that overflows to Infinity', 'POST', () => '/v1/sessions', () => `{"workDir":"/tmp","agent":"command","agentOptions":{"n":1e999}}`, 400, 'AEGIS_ERR_VALIDATION'],
  ['a workDir with a NUL byte', 'POST', () => '/v1/sessions', () => ({ workDir: '/tmp\u0000/x', agent: 'command' }), 400, 'AEGIS_ERR_SESSION_WORKDIR_INVALID'],
  ['a resume id that looks like an option', 'POST', () => '/v1/sessions', () => ({ workDir: h.work, agent: 'command', resumeSessionId: '--help' }), 400, 'AEGIS_ERR_VALIDATION'],
  ['a prompt with an escape character', 'POST', () => '/v1/sessions', () => ({ workDir: h.work, agent: 'command', prompt: 'hi\u001b[201~rm -rf /\r' }), 400, 'AEGIS_ERR_SESSION_TEXT_INVALID'],
  ['a message with a NUL byte', 'POST', () => `/v1/sessions/${idle}/send`, () => ({ text: 'a\u0000b' }), 400, 'AEGIS_ERR_SESSION_TEXT_INVALID'],
  ['a message with a lone surrogate', 'POST', () => `/v1/sessions/${idle}/send`, () => ({ text: 'a\ud800b' }), 400, 'AEGIS_ERR_SESSION_TEXT_INVALID'],
  ['a message of blank lines only', 'POST', () => `/v1/sessions/${idle}/send`, () => ({ text: '\r\n\r\n' }), 400, 'AEGIS_ERR_SESSION_TEXT_INVALID'],
  ['a URL with broken percent-encoding', 'GET', () => '/v1/sessions/%E0%A4%A', () => undefined, 400, 'AEGIS_ERR_BAD_URL'],
  ['a path parameter over the length limit', 'GET', () => `/v1/sessions/${'a'.repeat(200)}/transcript`, () => undefined, 414, 'AEGIS_ERR_PARAM_TOO_LONG'],
  ['a request without a token', 'GET', () => '/v1/sessions', () => undefined, 401, 'AEGIS_ERR_AUTH_MISSING_TOKEN'],
];

t.before(async () => { await writeFile(join(h.work, 'a-file'), 'x'); });

for (const [name, method, url, makeBody, status, code] of cases) {
  t.test(`${name} is refused with ${status} ${code}`, async (t) => {
    const body = makeBody();
    const headers: Record<string, string> = typeof body === 'string' ? { 'content-type': 'application/json' } : {};
    if (code === 'AEGIS_ERR_AUTH_MISSING_TOKEN') headers.authorization = '';
    const res = await h.inject(method, url(), body, headers);
    t.equal(res.status, status);
    t.equal(res.json?.code, code);
    t.type(res.json?.requestId, 'string');
    await stillAnswers(t);
  });
}

t.test('a denied env name is named in the error details', async (t) => {
  const res = await h.inject('POST', '/v1/sessions', { workDir: h.work, agent: 'command', env: { GITHUB_TOKEN: 'x' } });
  t.equal(res.json.code, 'AEGIS_ERR_SESSION_ENV_DENIED');
  t.same(res.json.details, { name: 'GITHUB_TOKEN', pattern: '*_TOKEN', reason: 'never' });
});

t.test('any action on an exited session is refused with 409 SESSION_EXITED', async (t) => {
  const id = (await h.inject('POST', '/v1/sessions', { workDir: h.work, agent: 'command', reuse: false })).json.id;
  await h.inject('DELETE', `/v1/sessions/${id}?wait=true`);
  for (const [path, body] of [['send', { text: 'x' }], ['approve', {}], ['reject', {}], ['answer', { text: 'y' }], ['interrupt', {}], ['escape', {}]] as const) {
    const res = await h.inject('POST', `/v1/sessions/${id}/${path}`, body);
    t.equal(res.status, 409, path);
    t.equal(res.json.code, 'AEGIS_ERR_SESSION_EXITED', path);
  }
  t.equal((await h.inject('GET', `/v1/sessions/${id}/transcript`)).status, 200, 'reads still work');
});

t.test('more live sessions than maxSessions are refused with 429', async (t) => {
  const small = await makeApp({ sessions: { maxSessions: 1 } });
  t.teardown(async () => { await small.app.close(); await cleanup(small.stateDir, small.work); });
  const one = await small.inject('POST', '/v1/sessions', { workDir: small.work, agent: 'command' });
  t.equal(one.status, 201);
  const two = await small.inject('POST', '/v1/sessions', { workDir: small.work, agent: 'command', reuse: false });
  t.equal(two.status, 429);
  t.equal(two.json.code, 'AEGIS_ERR_SESSION_LIMIT');
});

t.test('a command that cannot be found keeps the record as exited and says why', async (t) => {
  const res = await h.inject('POST', '/v1/sessions', { workDir: h.work, agent: 'command', agentOptions: { command: '/no/such/program' } });
  t.equal(res.status, 400, 'the request named a command outside the allowed list');
  const bad = await makeApp({ command: { command: 'aegis-no-such-program-xyz', args: [] } });
  t.teardown(async () => { await bad.app.close(); await cleanup(bad.stateDir, bad.work); });
  const r2 = await bad.inject('POST', '/v1/sessions', { workDir: bad.work, agent: 'command' });
  t.equal(r2.status, 500);
  t.equal(r2.json.code, 'AEGIS_ERR_SESSION_COMMAND_NOT_FOUND');
  const list = (await bad.inject('GET', '/v1/sessions')).json;
  t.equal(list.total, 1);
  t.equal(list.sessions[0].status, 'exited');
  t.match(list.sessions[0].reason, /start failed/);
});
