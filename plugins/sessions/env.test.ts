import t from 'tap';
import { agentEnv, checkEnv, deniedBy } from './env.js';

const ALLOW_ALL = { allow: ['*'] };

t.test('names that change what runs, where traffic goes or how TLS is checked are refused, even when allowed, in any case', async (t) => {
  for (const name of ['LD_PRELOAD', 'ld_library_path', 'DYLD_INSERT_LIBRARIES', 'NODE_OPTIONS', 'NODE_PATH', 'PYTHONPATH', 'PATH', 'HOME', 'SHELL',
    'HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'ALL_PROXY', 'NO_PROXY', 'NODE_TLS_REJECT_UNAUTHORIZED', 'NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE',
    'SSL_CERT_DIR', 'CURL_CA_BUNDLE', 'REQUESTS_CA_BUNDLE', 'GIT_SSH_COMMAND', 'GIT_CONFIG_GLOBAL', 'CLAUDE_CONFIG_DIR', 'IS_SANDBOX',
    'GITHUB_TOKEN', 'OPENAI_API_KEY', 'DB_SECRET', 'PG_PASSWORD', 'ANTHROPIC_BASE_URL', 'AWS_REGION', 'BASH_ENV', 'AEGIS_AUTH_TOKEN']) {
    t.ok(deniedBy(name), name);
    t.throws(() => checkEnv({ [name]: 'x' }, { allow: [name, '*'] }), { code: 'AEGIS_ERR_SESSION_ENV_DENIED', details: { name, reason: 'never' } }, name);
  }
});

t.test('a request may set only names on the allowlist; none by default', async (t) => {
  t.throws(() => checkEnv({ FOO: '1' }, { allow: [] }), { code: 'AEGIS_ERR_SESSION_ENV_DENIED', details: { name: 'FOO', reason: 'not-allowed' } });
  t.same(checkEnv({ FOO: '1', APP_MODE: 'x' }, { allow: ['FOO', 'APP_*'] }), { FOO: '1', APP_MODE: 'x' });
  t.throws(() => checkEnv({ BAR: '1' }, { allow: ['FOO', 'APP_*'] }), { code: 'AEGIS_ERR_SESSION_ENV_DENIED', details: { name: 'BAR' } });
  t.same(checkEnv(undefined, { allow: [] }), {});
});

t.test('extra deny patterns from the options are honoured over the allowlist', async (t) => {
  t.same(checkEnv({ MY_PATH_HINT: '/x', TOKENIZER: 'y' }, ALLOW_ALL), { MY_PATH_HINT: '/x', TOKENIZER: 'y' });
  t.throws(() => checkEnv({ CORP_X: '1' }, { allow: ['*'], deny: ['CORP_*'] }), { code: 'AEGIS_ERR_SESSION_ENV_DENIED' });
  t.throws(() => checkEnv({ X_KEY: '1' }, { allow: ['*'], deny: ['*_KEY'] }), { code: 'AEGIS_ERR_SESSION_ENV_DENIED' });
  t.throws(() => checkEnv({ EXACT: '1' }, { allow: ['*'], deny: ['EXACT'] }), { code: 'AEGIS_ERR_SESSION_ENV_DENIED' });
});

t.test('invalid names and values with NUL are refused as invalid', async (t) => {
  const bad: Array<Record<string, string>> = [{ '1ABC': 'x' }, { 'A-B': 'x' }, { '': 'x' }, { OK: 'a\0b' }];
  for (const env of bad) {
    t.throws(() => checkEnv(env, ALLOW_ALL), { code: 'AEGIS_ERR_SESSION_ENV_INVALID' });
  }
});

const SERVER = {
  PATH: '/usr/bin', LANG: 'C.UTF-8', LC_ALL: 'C', TERM: 'dumb', TZ: 'UTC', TMPDIR: '/tmp', HOME: '/root', USER: 'root', LOGNAME: 'root',
  SHELL: '/bin/zsh', SERVER_ONLY_SECRET: 'hush', AEGIS_AUTH_TOKEN: 'master-0123456789', HTTPS_PROXY: 'http://proxy', ANTHROPIC_API_KEY: 'k',
  CORP_FLAG: '1', CORP_OTHER: '2',
};

t.test('an agent gets only the allowlisted part of the server environment, then the layers in order', async (t) => {
  const env = agentEnv({ pass: [], source: SERVER }, { FOO: 'bar' }, { FOO: 'later', EXTRA: '1' });
  t.same(env, {
    PATH: '/usr/bin', LANG: 'C.UTF-8', LC_ALL: 'C', TERM: 'dumb', TZ: 'UTC', TMPDIR: '/tmp', HOME: '/root', USER: 'root', LOGNAME: 'root',
    SHELL: '/bin/zsh', FOO: 'later', EXTRA: '1',
  });
});

t.test("a driver's and the operator's pass names add to the allowlist; AEGIS_* never passes", async (t) => {
  const env = agentEnv({ pass: ['ANTHROPIC_*', 'CORP_FLAG', 'AEGIS_*'], source: SERVER });
  t.equal(env.ANTHROPIC_API_KEY, 'k');
  t.equal(env.CORP_FLAG, '1');
  t.equal(env.CORP_OTHER, undefined);
  t.equal(env.AEGIS_AUTH_TOKEN, undefined);
  t.equal(env.SERVER_ONLY_SECRET, undefined);
  t.equal(env.HTTPS_PROXY, undefined, 'a proxy reaches agents only when the operator passes it');
});

t.test("with an agent user, HOME, USER, LOGNAME and SHELL are that user's, not the server's", async (t) => {
  const env = agentEnv({ pass: [], source: SERVER, identity: { home: '/home/agent', user: 'agent', shell: '/bin/sh' } });
  t.match(env, { HOME: '/home/agent', USER: 'agent', LOGNAME: 'agent', SHELL: '/bin/sh', PATH: '/usr/bin' });
});
