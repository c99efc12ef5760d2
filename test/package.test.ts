import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { REPO_ROOT } from './support/paths.js';
import { runFile, tempDir } from './deploy/helpers.js';

/** The environment without npm's own variables (a test run under `npm test` inherits them). */
function cleanEnv(extra: Record<string, string>): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  return { ...env, ...extra };
}

t.test('npm pack gives a tarball that npm install -g installs offline into a clean prefix, and ag runs from it', async (t) => {
  const pkg = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
  const work = await tempDir('aegis-pack-');
  const cache = (await runFile('npm', ['config', 'get', 'cache'], { env: cleanEnv({}) })).stdout.trim();

  // What prepack does, in a staging copy: dist/ is already built (the tests run from it) and the
  // repository stays untouched while other tests run from it.
  const stage = join(work, 'stage');
  await mkdir(stage);
  for (const f of ['package.json', 'README.md']) await cp(join(REPO_ROOT, f), join(stage, f));
  await cp(join(REPO_ROOT, 'dist'), join(stage, 'dist'), { recursive: true });
  const wrapped = await runFile(process.execPath, [join(REPO_ROOT, 'scripts', 'shrinkwrap.mjs'), stage]);
  t.equal(wrapped.code, 0, wrapped.stderr);
  const scripts = (JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  t.match(scripts.prepack, /npm run build && node scripts\/shrinkwrap\.mjs/, 'a real npm pack builds and locks the same way');
  const packed = await runFile('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: stage, env: cleanEnv({}), timeoutMs: 120000 });
  t.equal(packed.code, 0, packed.stderr);
  const [info] = JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  const files = info.files.map((f) => f.path);
  for (const f of ['package.json', 'npm-shrinkwrap.json', 'dist/bin/ag.js', 'dist/server.js', 'dist/kernel/main.js', 'README.md']) t.ok(files.includes(f), `ships ${f}`);
  t.notOk(files.some((f) => f.endsWith('.test.js') || f.startsWith('dist/test/') || f.endsWith('.map') || f.endsWith('.ts')), 'no tests, maps or sources');

  const prefix = join(work, 'prefix');
  const home = join(work, 'home');
  const env = cleanEnv({ HOME: home, AEGIS_HOST: '127.0.0.1' });
  // Every tarball comes from the npm cache that npm ci filled; npm still resolves the dependency
  // ranges of a tarball install against registry metadata, which npm ci never caches, so this is
  // --prefer-offline (metadata may be fetched) rather than --offline.
  const installed = await runFile('npm', ['install', '-g', '--prefer-offline', '--no-audit', '--no-fund', '--prefix', prefix, '--cache', cache, join(work, info.filename)], { env, timeoutMs: 280000 });
  t.equal(installed.code, 0, installed.stderr);
  const ag = join(prefix, 'bin', 'ag');
  t.ok(existsSync(ag), 'the ag bin is linked');
  t.ok(existsSync(join(prefix, 'bin', 'aegis')), 'the aegis bin is linked');

  const version = await runFile(ag, ['version'], { env });
  t.equal(version.code, 0, version.stderr);
  t.equal(version.stdout.trim(), pkg.version);

  const help = await runFile(ag, ['--help'], { env, timeoutMs: 20000 });
  t.equal(help.code, 0, help.stderr);
  t.match(help.stdout, /^Usage: ag /);
  t.match(help.stdout, /serve/);
  t.notOk(existsSync(join(home, '.aegis')), '--help starts nothing: no state directory was made');

  const server = spawn(ag, [], { env: { ...env, AEGIS_PORT: '0', AEGIS_LOG_LEVEL: 'info' } as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
  t.teardown(() => { if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL'); });
  let stderr = '';
  server.stderr!.on('data', (c) => (stderr += c));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "aegis listening" in 30 s; stderr: ${stderr}`)), 30000);
    createInterface({ input: server.stdout! }).on('line', (line) => {
      try {
        const l = JSON.parse(line) as { msg?: string; port?: number };
        if (l.msg === 'aegis listening') { clearTimeout(timer); resolve(Number(l.port)); }
      } catch { /* not a log line */ }
    });
    void exited.then((code) => reject(new Error(`ag exited ${code}: ${stderr}`)));
  });
  const res = await fetch(`http://127.0.0.1:${port}/v1/health`);
  t.equal(res.status, 200);
  t.match(await res.json(), { status: 'ok', version: pkg.version });
  t.ok(existsSync(join(home, '.aegis', 'auth-token')), 'the server made its token in the fresh HOME');
  server.kill('SIGTERM');
  t.equal(await exited, 0, 'a graceful exit');
});
