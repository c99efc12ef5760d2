import t from 'tap';
import { Ajv } from 'ajv';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { have, REPO_ROOT, runFile, tempDir } from './helpers.js';

const CHART = join(REPO_ROOT, 'deploy/helm/aegis');
const GOPATH = '/usr/share/gocode';
const SPRIG = join(GOPATH, 'src/github.com/Masterminds/sprig');

type Obj = Record<string, any>;
const defaults = async (): Promise<Obj> => parse(await readFile(join(CHART, 'values.yaml'), 'utf8'));
const schema = async (): Promise<Obj> => JSON.parse(await readFile(join(CHART, 'values.schema.json'), 'utf8'));

/** Helm's merge of user values over the chart's: maps merge deeply, everything else replaces. */
function merge(base: Obj, over: Obj): Obj {
  const out: Obj = { ...base };
  for (const [k, v] of Object.entries(over)) {
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && base[k] && typeof base[k] === 'object' && !Array.isArray(base[k]) ? merge(base[k], v) : v;
  }
  return out;
}

/** Values the README documents as one block rather than key by key. */
const BLOCKS = new Set(['ingress.streamingAnnotations', 'podSecurityContext', 'securityContext', 'resources', 'livenessProbe', 'readinessProbe']);

/** Every leaf key path of the values (lists, empty maps and documented blocks count as leaves). */
function leafPaths(v: Obj, prefix = ''): string[] {
  return Object.entries(v).flatMap(([k, x]) => {
    const p = prefix ? `${prefix}.${k}` : k;
    return x && typeof x === 'object' && !Array.isArray(x) && Object.keys(x).length && !BLOCKS.has(p) ? leafPaths(x, p) : [p];
  });
}

t.test('values.yaml validates against values.schema.json, and the schema refuses wrong values', async (t) => {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(await schema());
  const values = await defaults();
  t.ok(validate(values), JSON.stringify(validate.errors));
  const bad: Array<[string, Obj]> = [
    ['unknown top-level key', { replicas: 3 }],
    ['size not a quantity string', { persistence: { size: 5 } }],
    ['unknown service type', { service: { type: 'Magic' } }],
    ['port out of range', { port: 70000 }],
    ['extraEnv entry without a name', { extraEnv: [{ value: 'x' }] }],
    ['mountPath not absolute', { persistence: { mountPath: 'var/lib/aegis' } }],
  ];
  for (const [why, over] of bad) t.notOk(validate(merge(values, over)), why);
});

t.test('the chart README lists every value of values.yaml and says how the chart was checked', async (t) => {
  const readme = await readFile(join(CHART, 'README.md'), 'utf8');
  for (const p of leafPaths(await defaults())) t.ok(readme.includes(`\`${p}\``), `README lists ${p}`);
  t.match(readme, /How this chart is checked/);
});

/** Builds the Go text/template + sprig renderer once, when Go and Debian's sprig are there. */
async function renderer(t: { comment(...args: unknown[]): void }): Promise<((values: Obj) => Promise<Record<string, Obj[]>>) | undefined> {
  if (!have('go') || !existsSync(SPRIG)) {
    t.comment('skip: rendering: needs Go and sprig (apt-get install golang-go golang-github-masterminds-sprig-dev); structural checks only');
    return undefined;
  }
  const dir = await tempDir('aegis-helm-render-');
  const bin = join(dir, 'helm-render');
  const env = { GO111MODULE: 'off', GOPATH, GOCACHE: join(dir, 'cache'), GOFLAGS: '' };
  const built = await runFile('go', ['build', '-o', bin, '.'], { cwd: join(REPO_ROOT, 'test/deploy/helm-render'), env, timeoutMs: 240000 });
  if (built.code !== 0) throw new Error(`building the renderer failed: ${built.stderr}`);
  let n = 0;
  return async (values) => {
    const file = join(dir, `values-${n++}.json`);
    await writeFile(file, JSON.stringify(values));
    const r = await runFile(bin, [CHART, file, 'aegis', 'agents']);
    if (r.code !== 0) throw new Error(r.stderr);
    const out: Record<string, Obj[]> = {};
    for (const [name, text] of Object.entries(JSON.parse(r.stdout) as Record<string, string>)) {
      if (name.endsWith('.txt')) { out[name] = [{ text }]; continue; }
      out[name] = parseAllDocuments(text).map((d) => {
        if (d.errors.length) throw new Error(`${name}: ${d.errors[0].message}\n${text}`);
        return d.toJS() as Obj;
      }).filter((d) => d);
    }
    return out;
  };
}

const objects = (rendered: Record<string, Obj[]>) => Object.entries(rendered).filter(([n]) => !n.endsWith('.txt')).flatMap(([, docs]) => docs);
const kind = (rendered: Record<string, Obj[]>, k: string) => objects(rendered).filter((o) => o.kind === k);

t.test('the templates render with the default values into one replica with its state, probes and token wired', async (t) => {
  const render = await renderer(t);
  if (!render) {
    const sts = await readFile(join(CHART, 'templates/statefulset.yaml'), 'utf8');
    t.match(sts, /replicas: 1\n/);
    t.match(sts, /path: \/v1\/health/);
    return;
  }
  const r = await render(await defaults());
  const [sts] = kind(r, 'StatefulSet');
  t.equal(kind(r, 'StatefulSet').length, 1);
  t.equal(sts.spec.replicas, 1);
  t.equal(sts.spec.serviceName, 'aegis-headless');
  const pod = sts.spec.template.spec;
  const c = pod.containers[0];
  t.equal(c.image, 'ghcr.io/onestepat4time/aegis:0.6.0-preview', 'tag defaults to appVersion');
  const env = Object.fromEntries(c.env.map((e: Obj) => [e.name, e]));
  t.equal(env.AEGIS_STATE_DIR.value, '/var/lib/aegis');
  t.equal(env.AEGIS_HOST.value, '0.0.0.0');
  t.equal(env.AEGIS_PORT.value, '9100');
  t.same(env.AEGIS_AUTH_TOKEN.valueFrom, { secretKeyRef: { name: 'aegis', key: 'AEGIS_AUTH_TOKEN' } });
  t.same(c.volumeMounts.find((m: Obj) => m.name === 'state'), { name: 'state', mountPath: '/var/lib/aegis' });
  for (const probe of [c.livenessProbe, c.readinessProbe]) t.same(probe.httpGet, { path: '/v1/health', port: 'http' });
  t.same(c.ports, [{ name: 'http', containerPort: 9100, protocol: 'TCP' }]);
  t.match(c.securityContext, { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
  t.match(pod.securityContext, { runAsNonRoot: true, runAsUser: 10001 });
  t.same(c.volumeMounts.map((m: Obj) => m.mountPath).sort(), ['/root', '/tmp', '/var/lib/aegis'], 'only volumes are writable');
  t.notOk(pod.volumes.some((v: Obj) => v.name === 'state'), 'state comes from the claim template');
  t.match(sts.spec.volumeClaimTemplates, [{ metadata: { name: 'state' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '5Gi' } } } }]);
  t.notOk('storageClassName' in sts.spec.volumeClaimTemplates[0].spec, 'the cluster default class');
  const [secret] = kind(r, 'Secret');
  t.equal(secret.metadata.name, 'aegis');
  t.ok(Buffer.from(secret.data.AEGIS_AUTH_TOKEN, 'base64').toString().length >= 32, 'a generated token');
  t.same(kind(r, 'Service').map((s) => s.metadata.name).sort(), ['aegis', 'aegis-headless']);
  t.equal(kind(r, 'ServiceAccount')[0].automountServiceAccountToken, false);
  t.equal(kind(r, 'Ingress').length, 0, 'no ingress unless enabled');
  t.match(r['aegis/templates/NOTES.txt'][0].text, /port-forward svc\/aegis 9100:9100/);
});

t.test('an existing Secret and PVC, ingress, extra env and mounts render as asked and keep one replica', async (t) => {
  const render = await renderer(t);
  if (!render) {
    const ing = await readFile(join(CHART, 'templates/ingress.yaml'), 'utf8');
    t.match(ing, /streamingAnnotations/);
    return;
  }
  const values = merge(await defaults(), {
    auth: { existingSecret: 'my-token', secretKey: 'token' },
    persistence: { existingClaim: 'aegis-state', mountPath: '/data/aegis' },
    ingress: {
      enabled: true, className: 'nginx', annotations: { 'cert-manager.io/cluster-issuer': 'le' },
      hosts: [{ host: 'aegis.corp.example', paths: [{ path: '/', pathType: 'Prefix' }] }],
      tls: [{ secretName: 'aegis-tls', hosts: ['aegis.corp.example'] }],
    },
    env: { AEGIS_SSE_IDLE_MS: 60000 },
    extraEnv: [{ name: 'ANTHROPIC_API_KEY', valueFrom: { secretKeyRef: { name: 'anthropic', key: 'key' } } }],
    extraVolumes: [{ name: 'claude-auth', secret: { secretName: 'claude-auth' } }],
    extraVolumeMounts: [{ name: 'claude-auth', mountPath: '/root/.claude/auth', readOnly: true }],
  });
  const r = await render(values);
  t.equal(kind(r, 'Secret').length, 0, 'no Secret when one exists');
  const [sts] = kind(r, 'StatefulSet');
  t.equal(sts.spec.replicas, 1);
  t.notOk(sts.spec.volumeClaimTemplates, 'no claim template with an existing claim');
  const pod = sts.spec.template.spec;
  t.same(pod.volumes.find((v: Obj) => v.name === 'state'), { name: 'state', persistentVolumeClaim: { claimName: 'aegis-state' } });
  t.same(pod.volumes.find((v: Obj) => v.name === 'claude-auth'), { name: 'claude-auth', secret: { secretName: 'claude-auth' } });
  const c = pod.containers[0];
  const env = Object.fromEntries(c.env.map((e: Obj) => [e.name, e]));
  t.same(env.AEGIS_AUTH_TOKEN.valueFrom, { secretKeyRef: { name: 'my-token', key: 'token' } });
  t.equal(env.AEGIS_STATE_DIR.value, '/data/aegis');
  t.equal(env.AEGIS_SSE_IDLE_MS.value, '60000');
  t.same(env.ANTHROPIC_API_KEY.valueFrom, { secretKeyRef: { name: 'anthropic', key: 'key' } });
  t.same(c.volumeMounts.find((m: Obj) => m.name === 'state').mountPath, '/data/aegis');
  t.same(c.volumeMounts.find((m: Obj) => m.name === 'claude-auth'), { name: 'claude-auth', mountPath: '/root/.claude/auth', readOnly: true });
  for (const probe of [c.livenessProbe, c.readinessProbe]) t.equal(probe.httpGet.path, '/v1/health');
  const [ing] = kind(r, 'Ingress');
  t.equal(ing.spec.ingressClassName, 'nginx');
  t.match(ing.metadata.annotations, {
    'nginx.ingress.kubernetes.io/proxy-buffering': 'off', 'nginx.ingress.kubernetes.io/proxy-read-timeout': '3600',
    'nginx.ingress.kubernetes.io/proxy-http-version': '1.1', 'cert-manager.io/cluster-issuer': 'le',
  });
  t.same(ing.spec.rules[0], { host: 'aegis.corp.example', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'aegis', port: { number: 9100 } } } }] } });
  t.same(ing.spec.tls, [{ secretName: 'aegis-tls', hosts: ['aegis.corp.example'] }]);
});

t.test('persistence off gives an emptyDir, a storage class reaches the claim, a given token is used as is', async (t) => {
  const render = await renderer(t);
  if (!render) return;
  const off = await render(merge(await defaults(), { persistence: { enabled: false } }));
  const pod = kind(off, 'StatefulSet')[0].spec.template.spec;
  t.same(pod.volumes.find((v: Obj) => v.name === 'state'), { name: 'state', emptyDir: {} });
  t.match(off['aegis/templates/NOTES.txt'][0].text, /LOST/);
  const classed = await render(merge(await defaults(), { persistence: { storageClass: 'fast', size: '20Gi' }, auth: { token: 'given-token-0123456789abcdef' } }));
  const sts = kind(classed, 'StatefulSet')[0];
  t.equal(sts.spec.volumeClaimTemplates[0].spec.storageClassName, 'fast');
  t.equal(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage, '20Gi');
  t.equal(Buffer.from(kind(classed, 'Secret')[0].data.AEGIS_AUTH_TOKEN, 'base64').toString(), 'given-token-0123456789abcdef');
});
