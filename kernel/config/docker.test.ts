import t from 'tap';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveHost, runningInDocker } from './docker.js';
import { loadConfig } from './load.js';

async function probes() {
  const dir = await mkdtemp(join(tmpdir(), 'aegis-docker-'));
  const none = { dockerenvPath: join(dir, 'missing-dockerenv'), cgroupPath: join(dir, 'missing-cgroup') };
  const dockerenv = join(dir, '.dockerenv');
  await writeFile(dockerenv, '');
  const cgroupDocker = join(dir, 'cgroup-docker');
  await writeFile(cgroupDocker, '0::/system.slice/docker-4f1c.scope\n');
  const cgroupContainerd = join(dir, 'cgroup-containerd');
  await writeFile(cgroupContainerd, '0::/kubepods/besteffort/pod1/containerd-abc\n');
  const cgroupPlain = join(dir, 'cgroup-plain');
  await writeFile(cgroupPlain, '0::/init.scope\n');
  return { dir, none, dockerenv, cgroupDocker, cgroupContainerd, cgroupPlain };
}

t.test('bare metal binds 127.0.0.1', async (t) => {
  const p = await probes();
  t.equal(runningInDocker(p.none), false);
  t.equal(resolveHost(undefined, { ...p.none, cgroupPath: p.cgroupPlain }), '127.0.0.1');
});

t.test('docker without AEGIS_HOST binds 0.0.0.0, detected by /.dockerenv or by the cgroup', async (t) => {
  const p = await probes();
  t.equal(resolveHost(undefined, { ...p.none, dockerenvPath: p.dockerenv }), '0.0.0.0');
  t.equal(resolveHost(undefined, { ...p.none, cgroupPath: p.cgroupDocker }), '0.0.0.0');
  t.equal(resolveHost(undefined, { ...p.none, cgroupPath: p.cgroupContainerd }), '0.0.0.0');
});

t.test('an explicit AEGIS_HOST always wins, in Docker or not', async (t) => {
  const p = await probes();
  const inDocker = { dockerenvPath: p.dockerenv, cgroupPath: p.cgroupDocker };
  const env = { AEGIS_HOST: '10.1.2.3' };
  t.equal((await loadConfig({ env, cwd: p.dir, home: p.dir, dockerProbe: inDocker })).server.host, '10.1.2.3');
  t.equal((await loadConfig({ env, cwd: p.dir, home: p.dir, dockerProbe: p.none })).server.host, '10.1.2.3');
  t.equal((await loadConfig({ env: {}, cwd: p.dir, home: p.dir, dockerProbe: inDocker })).server.host, '0.0.0.0');
  t.equal((await loadConfig({ env: {}, cwd: p.dir, home: p.dir, dockerProbe: p.none })).server.host, '127.0.0.1');
});
