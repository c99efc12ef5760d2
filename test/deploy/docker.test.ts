import t from 'tap';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { have, REPO_ROOT, runFile } from './helpers.js';

const DOCKERFILE = join(REPO_ROOT, 'deploy/docker/Dockerfile');

interface Instruction { op: string; args: string; stage: number }

/** The Dockerfile's instructions (continuations joined, comments dropped), tagged by stage. */
async function instructions(): Promise<Instruction[]> {
  const text = (await readFile(DOCKERFILE, 'utf8')).replace(/\\\n/g, ' ');
  const out: Instruction[] = [];
  let stage = -1;
  for (const line of text.split('\n')) {
    const l = line.trim();
    if (!l || l.startsWith('#')) continue;
    const m = /^(\w+)\s+(.*)$/.exec(l);
    if (!m) continue;
    const op = m[1].toUpperCase();
    if (op === 'FROM') stage++;
    out.push({ op, args: m[2].replace(/\s+/g, ' '), stage });
  }
  return out;
}

t.test('the Dockerfile builds in one stage and runs production dependencies as a non-root user in another', async (t) => {
  const all = await instructions();
  const froms = all.filter((i) => i.op === 'FROM');
  t.ok(froms.length >= 2, 'multi-stage');
  t.match(froms[0].args, / AS build$/);
  const last = froms.length - 1;
  const final = all.filter((i) => i.stage === last);
  const runs = final.filter((i) => i.op === 'RUN').map((i) => i.args).join('\n');
  t.match(runs, /npm ci --omit=dev/, 'production dependencies only, in the final stage');
  t.notMatch(runs, /npm ci(?! --omit=dev)/, 'no full install in the final stage');
  t.match(runs, /npm install -g [^\n]*@anthropic-ai\/claude-code@/, 'the claude CLI is installed');
  t.match(runs, /apt-get purge -y --auto-remove python3 make g\+\+/, 'build tools leave with their layer');
  t.ok(final.some((i) => i.op === 'COPY' && /--from=build \/src\/dist/.test(i.args)), 'dist comes from the build stage');
  t.notOk(final.some((i) => i.op === 'COPY' && /^\. /.test(i.args)), 'the final stage does not copy the whole context');

  const users = final.filter((i) => i.op === 'USER');
  t.equal(users.length, 1);
  t.notMatch(users[0].args, /^(root|0)(:|$)/, 'not root');
  const userAt = final.indexOf(users[0]);
  t.notOk(final.slice(userAt).some((i) => i.op === 'RUN'), 'nothing runs as root after USER');
  t.match(runs, /useradd [^\n]*--home-dir \/root [^\n]* aegis/, 'the user has its own home');
  t.match(runs, /chown -R aegis:aegis \/root/);
  t.ok(final.some((i) => i.op === 'ENV' && /HOME=\/root/.test(i.args)), 'HOME matches the guide\'s volume paths');

  const health = final.find((i) => i.op === 'HEALTHCHECK');
  t.ok(health);
  t.match(health!.args, /CMD .*\/v1\/health/);
  const entry = final.find((i) => i.op === 'ENTRYPOINT');
  t.match(entry!.args, /tini/, 'tini is PID 1 and forwards signals');
  t.match(final.find((i) => i.op === 'CMD')!.args, /"node", "dist\/server\.js"/);
  t.ok(final.some((i) => i.op === 'EXPOSE' && i.args === '9100'));
});

t.test('no secret is baked into the image', async (t) => {
  const all = await instructions();
  for (const i of all.filter((x) => x.op === 'ENV' || x.op === 'ARG')) {
    t.notMatch(i.args, /(TOKEN|SECRET|PASSWORD|API_KEY|_KEY)\s*=/i, `${i.op} ${i.args}`);
  }
  for (const i of all.filter((x) => x.op === 'COPY' || x.op === 'ADD')) t.notMatch(i.args, /\.env|auth-token|audit\.key|\.pem|\.npmrc/, i.args);
  const ignore = (await readFile(join(REPO_ROOT, '.dockerignore'), 'utf8')).split('\n').map((l) => l.trim());
  for (const p of ['.git', 'node_modules', 'dist', '.env', '.env.*', 'auth-token', 'audit.key', '.aegis', '*.pem', '*.key']) t.ok(ignore.includes(p), `.dockerignore has ${p}`);
});

t.test('compose.yaml is the deployment guide\'s service: port, token from the environment, state and claude volumes', async (t) => {
  const compose = parse(await readFile(join(REPO_ROOT, 'deploy/docker/compose.yaml'), 'utf8'));
  t.equal(compose.version, '3.8');
  const svc = compose.services.aegis;
  t.equal(svc.image, 'ghcr.io/onestepat4time/aegis:latest');
  t.same(svc.ports, ['9100:9100']);
  t.same(svc.environment, { AEGIS_AUTH_TOKEN: '$' + '{AEGIS_AUTH_TOKEN}', AEGIS_PORT: 9100 });
  t.same(svc.volumes, ['aegis-data:/root/.aegis', 'claude-data:/root/.claude']);
  t.equal(svc.restart, 'unless-stopped');
  t.same(Object.keys(compose.volumes).sort(), ['aegis-data', 'claude-data']);
  t.equal(svc.build.dockerfile, 'deploy/docker/Dockerfile');
});

t.test('hadolint finds nothing in the Dockerfile', async (t) => {
  if (!have('hadolint')) {
    t.comment('skip: hadolint is not installed (not packaged for Debian; nothing is downloaded)');
    return;
  }
  const r = await runFile('hadolint', [DOCKERFILE]);
  t.equal(r.code, 0, r.stdout + r.stderr);
});
