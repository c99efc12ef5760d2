import t from 'tap';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { cp, chmod, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { have, parseUnit, REPO_ROOT, runFile, tempDir } from './helpers.js';

const INSTALLER = join(REPO_ROOT, 'scripts', 'install-systemd.sh');

/** Splits the dry run's output into the files it prints, by their header lines. */
function printedFiles(stdout: string): Record<string, string> {
  const files: Record<string, string> = {};
  let current = '';
  for (const line of stdout.split('\n')) {
    const head = /^# ---- (\/\S+) ----$/.exec(line);
    if (head) { current = head[1]; files[current] = ''; continue; }
    if (/^# ---- /.test(line)) { current = ''; continue; }
    if (current) files[current] += line + '\n';
  }
  return files;
}

async function dryRun(args: string[]) {
  const root = await tempDir('aegis-install-dry-');
  const r = await runFile(INSTALLER, args, { env: { AEGIS_INSTALL_ROOT: root } });
  return { ...r, root, files: printedFiles(r.stdout) };
}

t.test('--dry-run with the defaults prints the unit for /opt/aegis and user aegis and writes nothing', async (t) => {
  const r = await dryRun(['--dry-run']);
  t.equal(r.code, 0, r.stderr);
  t.same(await readdir(r.root), [], 'nothing written');
  const unit = parseUnit(r.files['/etc/systemd/system/aegis.service']);
  const svc = unit.Service;
  t.same(svc.User, ['aegis']);
  t.same(svc.WorkingDirectory, ['/opt/aegis']);
  t.same(svc.ExecStartPre, ['/usr/local/bin/aegis-pre-start.sh']);
  t.match(svc.ExecStart[0], /^\/\S*node dist\/server\.js$/, 'absolute node running dist/server.js');
  t.same(svc.Restart, ['always']);
  t.same(svc.RestartSec, ['5']);
  t.same(svc.EnvironmentFile, ['-/etc/aegis/aegis.env']);
  t.same(svc.NoNewPrivileges, ['true']);
  t.same(svc.ProtectSystem, ['full']);
  t.same(svc.PrivateTmp, ['true']);
  t.same(unit.Unit.OnFailure, ['aegis-failure-notify.service']);
  t.ok(Number(unit.Unit.StartLimitBurst[0]) > 0, 'restarts are bounded, so OnFailure fires once they are exhausted');
  t.same(unit.Install.WantedBy, ['multi-user.target']);
  const pre = r.files['/usr/local/bin/aegis-pre-start.sh'];
  t.match(pre, /^#!\/usr\/bin\/env bash\n/);
  t.match(pre, /\ncd \/opt\/aegis\n/);
  t.match(pre, /\nnpm run build\n/);
  t.match(r.stdout, /# \/etc\/systemd\/system\/aegis-healthcheck\.timer/, 'lists the alerting units it would install');
});

t.test('--dry-run with a custom path and user and --skip-build uses them and leaves the build out', async (t) => {
  const r = await dryRun(['/home/user/projects/aegis', 'user', '--dry-run', '--skip-build']);
  t.equal(r.code, 0, r.stderr);
  t.same(await readdir(r.root), []);
  const svc = parseUnit(r.files['/etc/systemd/system/aegis.service']).Service;
  t.same(svc.User, ['user']);
  t.same(svc.WorkingDirectory, ['/home/user/projects/aegis']);
  const pre = r.files['/usr/local/bin/aegis-pre-start.sh'];
  t.match(pre, /\ncd \/home\/user\/projects\/aegis\n/);
  t.notMatch(pre, /^npm run build$/m);
});

t.test('the installer refuses a relative path, a bad user name and an unknown flag with exit 2', async (t) => {
  for (const args of [['relative/path', '--dry-run'], ['/opt/aegis', 'Bad User', '--dry-run'], ['--frobnicate'], ['/a', 'b', 'c', '--dry-run'], ['/opt/ae gis', '--dry-run']]) {
    const r = await runFile(INSTALLER, args);
    t.equal(r.code, 2, args.join(' '));
    t.equal(r.stdout, '', 'prints no unit');
  }
});

t.test('an install writes the unit, the pre-start script and the alerting units with the right modes', async (t) => {
  const root = await tempDir('aegis-install-root-');
  const r = await runFile(INSTALLER, ['/srv/aegis', 'svc-aegis'], { env: { AEGIS_INSTALL_ROOT: root } });
  t.equal(r.code, 0, r.stderr);
  const mode = async (p: string) => ((await stat(join(root, p))).mode & 0o777).toString(8);
  t.equal(await mode('etc/systemd/system/aegis.service'), '644');
  t.equal(await mode('usr/local/bin/aegis-pre-start.sh'), '755');
  for (const f of ['aegis-failure-notify.service', 'aegis-healthcheck.service', 'aegis-healthcheck.timer']) t.equal(await mode(`etc/systemd/system/${f}`), '644', f);
  for (const f of ['aegis-failure-notify.sh', 'aegis-healthcheck.sh']) t.equal(await mode(`usr/local/bin/${f}`), '755', f);
  const timer = parseUnit(await readFile(join(root, 'etc/systemd/system/aegis-healthcheck.timer'), 'utf8'));
  t.same(timer.Timer.OnUnitActiveSec, ['60s'], 'every 60 s');
  t.same(timer.Install.WantedBy, ['timers.target']);
  for (const f of ['aegis-failure-notify.service', 'aegis-healthcheck.service']) {
    const u = parseUnit(await readFile(join(root, 'etc/systemd/system', f), 'utf8'));
    t.same(u.Service.EnvironmentFile, ['-/etc/aegis/aegis.env'], `${f} reads the webhook from aegis.env`);
    t.same(u.Service.Type, ['oneshot']);
  }

  if (!have('systemd-analyze')) {
    t.comment('skip: systemd-analyze verify: systemd-analyze is not installed (apt-get install systemd)');
    return;
  }
  // verify --root checks the units against a root of their own: systemd's stock units and an
  // executable where ExecStart's node is, beside what the installer wrote.
  await mkdir(join(root, 'usr/lib/systemd'), { recursive: true });
  await cp('/usr/lib/systemd/system', join(root, 'usr/lib/systemd/system'), { recursive: true });
  const unit = parseUnit(await readFile(join(root, 'etc/systemd/system/aegis.service'), 'utf8'));
  const node = unit.Service.ExecStart[0].split(' ')[0];
  await mkdir(join(root, node, '..'), { recursive: true });
  await writeFile(join(root, node), '#!/bin/sh\n');
  await chmod(join(root, node), 0o755);
  const units = ['aegis.service', 'aegis-failure-notify.service', 'aegis-healthcheck.service', 'aegis-healthcheck.timer'].map((u) => join(root, 'etc/systemd/system', u));
  const v = await runFile('systemd-analyze', ['verify', `--root=${root}`, ...units]);
  t.equal(v.code, 0, v.stderr);
  t.equal(v.stderr.trim(), '', 'systemd-analyze verify reports nothing');
});

t.test('every shell script, generated ones included, passes shellcheck', async (t) => {
  if (!have('shellcheck')) {
    t.comment('skip: shellcheck is not installed (apt-get install shellcheck)');
    return;
  }
  const built = await dryRun(['/opt/aegis', 'aegis', '--dry-run']);
  const skipped = await dryRun(['/opt/aegis', 'aegis', '--dry-run', '--skip-build']);
  const dir = await tempDir('aegis-shellcheck-');
  await writeFile(join(dir, 'pre-start-built.sh'), built.files['/usr/local/bin/aegis-pre-start.sh']);
  await writeFile(join(dir, 'pre-start-skipped.sh'), skipped.files['/usr/local/bin/aegis-pre-start.sh']);
  const scripts = [
    INSTALLER, join(REPO_ROOT, 'deploy/systemd/aegis-failure-notify.sh'), join(REPO_ROOT, 'deploy/systemd/aegis-healthcheck.sh'),
    join(dir, 'pre-start-built.sh'), join(dir, 'pre-start-skipped.sh'),
  ];
  const r = await runFile('shellcheck', ['--shell=bash', '--severity=style', ...scripts]);
  t.equal(r.code, 0, r.stdout + r.stderr);
});

t.test('the pre-start script removes stale PID files and ends only the orphaned agent a record names', async (t) => {
  if (process.platform !== 'linux') {
    t.comment('skip: needs /proc');
    return;
  }
  const installDir = await tempDir('aegis-install-path-');
  const stateDir = await tempDir('aegis-prestart-state-');
  const r = await dryRun([installDir, 'aegis', '--dry-run', '--skip-build']);
  const script = join(installDir, 'pre-start.sh');
  await writeFile(script, r.files['/usr/local/bin/aegis-pre-start.sh'], { mode: 0o755 });

  const orphan = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
  const bystander = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
  const grouped = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
  t.teardown(() => { for (const p of [orphan, bystander, grouped]) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL'); });
  const startTime = async (pid: number) => (await readFile(`/proc/${pid}/stat`, 'utf8')).replace(/^.*\) /, '').split(' ')[19];
  const gone = spawn('true');
  await once(gone, 'exit');

  await mkdir(join(stateDir, 'sessions'), { recursive: true });
  await writeFile(join(stateDir, 'stale.pid'), `${gone.pid}\n`);
  await writeFile(join(stateDir, 'live.pid'), `${process.pid}\n`);
  const record = (pid: number, start: string) => JSON.stringify({ id: 'x', status: 'working', pid, pidStartTime: start }, null, 2);
  await writeFile(join(stateDir, 'sessions', 'a.json'), record(orphan.pid!, await startTime(orphan.pid!)));
  // Same pid as a live process but another start time: a reused pid, never touched.
  await writeFile(join(stateDir, 'sessions', 'b.json'), record(bystander.pid!, '1'));
  // Another process group the session owns (an ACP agent's terminal), recorded with its leader's start time.
  await writeFile(join(stateDir, 'sessions', 'c.json'), JSON.stringify({ id: 'c', status: 'working', groups: [{ pgid: grouped.pid, startTime: await startTime(grouped.pid!) }] }, null, 2));

  const orphanExit = once(orphan, 'exit');
  const groupedExit = once(grouped, 'exit');
  const run = await runFile(script, [], { env: { AEGIS_STATE_DIR: stateDir } });
  t.equal(run.code, 0, run.stderr);
  const [, signal] = await orphanExit;
  t.equal(signal, 'SIGTERM', 'the orphan recorded with its start time was ended');
  t.equal((await groupedExit)[1], 'SIGTERM', 'a process group the record owns was ended');
  t.equal(bystander.exitCode, null, 'the process with a reused pid lives');
  t.equal(bystander.signalCode, null);
  const left = await readdir(stateDir);
  t.notOk(left.includes('stale.pid'), 'stale PID file removed');
  t.ok(left.includes('live.pid'), 'PID file of a live process kept');
});
