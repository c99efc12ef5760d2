import t from 'tap';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { bearer, buildTestApp } from '../../test/support/app.js';
import { compareVersions, rangeOf, TESTED_RANGE } from './version.js';

t.test('versions are placed against the tested range numerically', async (t) => {
  t.ok(compareVersions('2.1.332', '2.1.197') > 0);
  t.ok(compareVersions('2.10.0', '2.9.9') > 0, 'numeric, not lexical');
  t.equal(rangeOf(TESTED_RANGE.oldest), 'tested');
  t.equal(rangeOf(TESTED_RANGE.newest), 'tested');
  t.equal(rangeOf('2.1.250'), 'tested');
  t.equal(rangeOf('2.1.100'), 'older');
  t.equal(rangeOf('2.2.0'), 'newer');
  t.equal(rangeOf(undefined), 'unknown');
});

t.test('health shows an authenticated caller the CLI found, its version and that it is newer than the tested range', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'aegis-cc-version-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const cli = join(dir, 'claude');
  await writeFile(cli, '#!/bin/sh\necho "9.0.1 (Claude Code)"\n');
  await chmod(cli, 0o755);
  const app = await buildTestApp({ plugins: { 'claude-code': { command: cli } } });
  t.teardown(() => app.close());
  await app.ready();

  let detail: any;
  // The lookup runs in the background after ready (a slow CLI must not hold the start): bounded wait.
  for (let i = 0; i < 100 && detail?.claudeCode?.range !== 'newer'; i++) {
    detail = (await app.inject({ method: 'GET', url: '/v1/health', headers: bearer() })).json().detail;
    if (detail?.claudeCode?.range !== 'newer') await delay(50);
  }
  t.match(detail.claudeCode, { command: cli, version: '9.0.1', range: 'newer', tested: `${TESTED_RANGE.oldest} - ${TESTED_RANGE.newest}` });

  const open = await app.inject({ method: 'GET', url: '/v1/health' });
  t.equal(open.statusCode, 200);
  t.equal(open.json().detail, undefined, 'no detail without a token');
  const wrong = await app.inject({ method: 'GET', url: '/v1/health', headers: bearer('not-the-token-0123456789abcdefghij') });
  t.equal(wrong.json().code, 'AEGIS_ERR_AUTH_INVALID_TOKEN', 'a token brought along is checked');
});
