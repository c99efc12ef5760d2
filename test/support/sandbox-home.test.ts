import t from 'tap';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createSandboxHome, encodeProjectDir } from './sandbox-home.js';

t.test('the sandbox HOME pre-answers onboarding, the API key prompt and folder trust', async (t) => {
  const work = await mkdtemp(path.join(tmpdir(), 'aegis-work-'));
  const other = await mkdtemp(path.join(tmpdir(), 'aegis-work-'));
  const sb = await createSandboxHome({ baseUrl: 'http://127.0.0.1:9', workDirs: [work], untrusted: [other] });
  t.teardown(async () => {
    await sb.cleanup();
    await rm(work, { recursive: true, force: true });
    await rm(other, { recursive: true, force: true });
  });

  const config = JSON.parse(await readFile(path.join(sb.home, '.claude.json'), 'utf8'));
  t.equal(config.hasCompletedOnboarding, true);
  t.same(config.customApiKeyResponses, { approved: [sb.apiKey.slice(-20)], rejected: [] });
  t.equal(config.projects[work].hasTrustDialogAccepted, true);
  t.equal(config.projects[other].hasTrustDialogAccepted, false, 'untrusted dirs keep the trust dialog');
  t.equal(config.bypassPermissionsModeAccepted, true);

  const settings = JSON.parse(await readFile(path.join(sb.claudeDir, 'settings.json'), 'utf8'));
  t.equal(settings.skipDangerousModePermissionPrompt, true);
  t.ok((await stat(sb.claudeDir)).isDirectory());

  t.equal(sb.env.HOME, sb.home);
  t.equal(sb.env.ANTHROPIC_BASE_URL, 'http://127.0.0.1:9');
  t.equal(sb.env.ANTHROPIC_API_KEY, sb.apiKey);
  t.equal(sb.env.IS_SANDBOX, '1');
  t.equal(sb.env.CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC, '1');
  t.equal(sb.env.DISABLE_AUTOUPDATER, '1');
  t.equal(sb.env.CLAUDE_CODE_MAX_RETRIES, '0');
});

t.test('transcript paths follow the CLI project-dir encoding', async (t) => {
  t.equal(encodeProjectDir('/tmp/My Proj_v2.x-é'), '-tmp-My-Proj-v2-x--');
  const long = '/' + 'a'.repeat(250);
  const enc = encodeProjectDir(long);
  t.equal(enc.slice(0, 200), '-' + 'a'.repeat(199));
  t.match(enc, /^-a{199}-[0-9a-z]+$/, 'long names are cut to 200 chars plus - and a base36 hash');

  const sb = await createSandboxHome({ baseUrl: 'http://127.0.0.1:9' });
  t.teardown(() => sb.cleanup());
  t.equal(
    sb.transcriptPath('/tmp/does-not-exist/x.y', '11111111-2222-4333-8444-555555555555'),
    path.join(sb.home, '.claude', 'projects', '-tmp-does-not-exist-x-y', '11111111-2222-4333-8444-555555555555.jsonl'),
  );
});
