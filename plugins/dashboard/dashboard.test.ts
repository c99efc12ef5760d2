import t from 'tap';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bearer, buildTestApp } from '../../test/support/app.js';
import { DASHBOARD_CSP } from './index.js';

/** The guide's policy, typed out here again so a change on either side shows. */
const GUIDE_CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self' ws: wss: https://registry.npmjs.org; frame-ancestors 'none'; frame-src 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

async function app(t: { teardown(fn: () => unknown): void }, root: string) {
  const a = await buildTestApp({ plugins: { dashboard: { root } } });
  t.teardown(async () => { await a.close(); await rm(a.config.stateDir, { recursive: true, force: true }); });
  return a;
}

async function built(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'aegis-dash-'));
  await mkdir(join(root, 'assets'));
  await writeFile(join(root, 'index.html'), '<!doctype html><title>Aegis</title><script type="module" src="/dashboard/assets/main-AbCdEf12.js"></script>');
  await writeFile(join(root, 'assets', 'main-AbCdEf12.js'), 'export {};');
  return root;
}

t.test('the CSP constant is the deployment guide\'s, byte for byte', async (t) => {
  t.equal(DASHBOARD_CSP, GUIDE_CSP);
});

t.test('index.html, hashed assets and app routes are served without a token, each with the CSP', async (t) => {
  const root = await built();
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const a = await app(t, root);
  const index = await a.inject({ method: 'GET', url: '/dashboard/' });
  t.equal(index.statusCode, 200);
  t.match(index.headers['content-type'], /text\/html/);
  t.equal(index.headers['content-security-policy'], GUIDE_CSP);
  t.equal(index.headers['cache-control'], 'no-cache', 'index.html is revalidated so new bundles are picked up');
  const asset = await a.inject({ method: 'GET', url: '/dashboard/assets/main-AbCdEf12.js' });
  t.equal(asset.statusCode, 200);
  t.match(asset.headers['content-type'], /javascript/);
  t.equal(asset.headers['cache-control'], 'public, max-age=31536000, immutable');
  t.equal(asset.headers['content-security-policy'], GUIDE_CSP);
  const spa = await a.inject({ method: 'GET', url: '/dashboard/sessions/1234' });
  t.equal(spa.statusCode, 200, 'an app route falls back to index.html');
  t.equal(spa.body, index.body);
  t.equal(spa.headers['content-security-policy'], GUIDE_CSP);
  const bare = await a.inject({ method: 'GET', url: '/dashboard' });
  t.equal(bare.statusCode, 301);
  t.equal(bare.headers.location, '/dashboard/');
  t.equal(bare.headers['content-security-policy'], GUIDE_CSP);
});

t.test('a browser whose copy is current gets 304 without a body, and a range gets 206', async (t) => {
  const root = await built();
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const a = await app(t, root);
  const first = await a.inject({ method: 'GET', url: '/dashboard/assets/main-AbCdEf12.js' });
  t.ok(first.headers.etag, 'files carry an ETag');
  const again = await a.inject({ method: 'GET', url: '/dashboard/assets/main-AbCdEf12.js', headers: { 'if-none-match': String(first.headers.etag) } });
  t.equal(again.statusCode, 304);
  t.equal(again.body, '');
  t.equal(again.headers['content-security-policy'], GUIDE_CSP);
  const part = await a.inject({ method: 'GET', url: '/dashboard/assets/main-AbCdEf12.js', headers: { range: 'bytes=0-5' } });
  t.equal(part.statusCode, 206);
  t.equal(part.body, 'export');
});

t.test('a missing asset is a 404 with the CSP, never index.html; traversal gets the app, not the file', async (t) => {
  const root = await built();
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const a = await app(t, root);
  const gone = await a.inject({ method: 'GET', url: '/dashboard/assets/main-old00000.js' });
  t.equal(gone.statusCode, 404);
  t.equal(gone.headers['content-security-policy'], GUIDE_CSP);
  const up = await a.inject({ method: 'GET', url: '/dashboard/..%2f..%2fetc%2fpasswd' });
  t.notMatch(up.body, /root:/);
  const up2 = await a.inject({ method: 'GET', url: '/dashboard/assets/../../../../etc/passwd' });
  t.notMatch(up2.body, /root:/);
});

t.test('the API around it still needs its token and does not carry the dashboard CSP', async (t) => {
  const root = await built();
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const a = await app(t, root);
  const res = await a.inject({ method: 'GET', url: '/v1/sessions' });
  t.equal(res.statusCode, 401);
  t.equal(res.headers['content-security-policy'], undefined);
  t.equal((await a.inject({ method: 'GET', url: '/v1/sessions', headers: bearer() })).statusCode, 200);
});

t.test('without a built bundle the page answers 503 with a code', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'aegis-dash-empty-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const a = await app(t, root);
  const res = await a.inject({ method: 'GET', url: '/dashboard/' });
  t.equal(res.statusCode, 503);
  t.equal(res.json().code, 'AEGIS_ERR_DASHBOARD_NOT_BUILT');
  t.equal(res.headers['content-security-policy'], GUIDE_CSP);
});
