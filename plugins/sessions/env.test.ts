import t from 'tap';
import { agentEnv, checkEnv, deniedBy } from './env.js';

t.test('names on the default denylist are refused, whatever their case', async (t) => {
  for (const name of ['LD_PRELOAD', 'ld_library_path', 'DYLD_INSERT_LIBRARIES', 'NODE_OPTIONS', 'PATH', 'HOME', 'SHELL',
    'GITHUB_TOKEN', 'OPENAI_API_KEY', 'DB_SECRET', 'PG_PASSWORD', 'ANTHROPIC_BASE_URL', 'AWS_REGION', 'BASH_ENV', 'AEGIS_AUTH_TOKEN']) {
    t.ok(deniedBy(name), name);
    t.throws(() => checkEnv({ [name]: 'x' }), { code: 'AEGIS_ERR_SESSION_ENV_DENIED', details: { name } }, name);
  }
});

t.test('ordinary names pass and extra patterns from the options are honoured', async (t) => {
  t.same(checkEnv({ FOO: '1', MY_PATH_HINT: '/x', TOKENIZER: 'y' }), { FOO: '1', MY_PATH_HINT: '/x', TOKENIZER: 'y' });
  t.throws(() => checkEnv({ CORP_X: '1' }, ['CORP_*']), { code: 'AEGIS_ERR_SESSION_ENV_DENIED' });
  t.throws(() => checkEnv({ X_KEY: '1' }, ['*_KEY']), { code: 'AEGIS_ERR_SESSION_ENV_DENIED' });
  t.throws(() => checkEnv({ EXACT: '1' }, ['EXACT']), { code: 'AEGIS_ERR_SESSION_ENV_DENIED' });
});

t.test('invalid names and values with NUL are refused as invalid', async (t) => {
  const bad: Array<Record<string, string>> = [{ '1ABC': 'x' }, { 'A-B': 'x' }, { '': 'x' }, { OK: 'a\0b' }];
  for (const env of bad) {
    t.throws(() => checkEnv(env), { code: 'AEGIS_ERR_SESSION_ENV_INVALID' });
  }
});

t.test('an agent inherits the server environment plus the session env', async (t) => {
  const env = agentEnv({ FOO: 'bar' }, { EXTRA: '1' });
  t.equal(env.PATH, process.env.PATH);
  t.equal(env.FOO, 'bar');
  t.equal(env.EXTRA, '1');
});

t.test("an agent never inherits the server's AEGIS_* variables, the master token among them", async (t) => {
  const before = process.env.AEGIS_AUTH_TOKEN;
  process.env.AEGIS_AUTH_TOKEN = 'server-master-token-value-0123456789';
  t.teardown(() => { if (before === undefined) delete process.env.AEGIS_AUTH_TOKEN; else process.env.AEGIS_AUTH_TOKEN = before; });
  const env = agentEnv({ FOO: 'bar' });
  t.equal(env.AEGIS_AUTH_TOKEN, undefined);
  t.notOk(Object.keys(env).some((k) => k.startsWith('AEGIS_')));
  t.equal(env.FOO, 'bar');
});
