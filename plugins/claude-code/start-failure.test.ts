import t from 'tap';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bearer, buildTestApp } from '../../test/support/app.js';

t.test('a CLI that exits while starting answers 502 with its last words, and the failure is audited', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'aegis-cc-exit-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const cli = join(dir, 'claude');
  await writeFile(cli, '#!/bin/sh\necho "Error: invalid settings file"\nexit 1\n');
  await chmod(cli, 0o755);
  const app = await buildTestApp({ plugins: { 'claude-code': { command: cli, hooks: false } } });
  t.teardown(() => app.close());

  const res = await app.inject({ method: 'POST', url: '/v1/sessions', headers: bearer(), payload: { workDir: dir } });
  t.equal(res.statusCode, 502);
  t.equal(res.json().code, 'AEGIS_ERR_CLAUDE_START_EXITED');
  t.match(res.json().message, /invalid settings file/, "the agent's own message is passed on");

  const listed = (await app.inject({ method: 'GET', url: '/v1/sessions', headers: bearer() })).json();
  t.equal(listed.sessions[0].status, 'exited', 'the session is kept as exited');
  const audit = (await app.inject({ method: 'GET', url: '/v1/audit?action=session.start-failed', headers: bearer() })).json();
  t.equal(audit.records.length, 1);
  t.match(audit.records[0], { sessionId: listed.sessions[0].id, detail: { code: 'AEGIS_ERR_CLAUDE_START_EXITED' } });
});
