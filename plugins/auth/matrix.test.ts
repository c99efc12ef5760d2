import t from 'tap';
import fp from 'fastify-plugin';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, HTTPMethods } from 'fastify';
import { buildTestApp, bearer, TEST_TOKEN } from '../../test/support/app.js';
import { catalogue } from '../index.js';
import type { Catalogue } from '../../kernel/index.js';
import { can, type Role } from './roles.js';
import { createKey, seedExpiredKey } from './test-helpers.js';

interface RouteRow { method: string; url: string; auth?: boolean | 'optional'; permission?: string; stream?: string }

/** A plugin placed first in the catalogue so its onRoute hook sees every route registered after it. */
function routeTable(): { rows: RouteRow[]; catalogue: Catalogue } {
  const rows: RouteRow[] = [];
  const plugin = fp(async (app: FastifyInstance) => {
    app.addHook('onRoute', (r) => {
      for (const method of ([] as string[]).concat(r.method as HTTPMethods | HTTPMethods[])) {
        rows.push({ method, url: r.url, auth: r.config?.auth, permission: r.config?.permission, stream: r.config?.stream });
      }
    });
  }, { name: 'route-table', fastify: '5.x' });
  const entry = { load: async () => ({ default: plugin }), enabledByDefault: true, description: 'test: records the route table' };
  return { rows, catalogue: { 'route-table': entry, ...catalogue } };
}

type Who = 'none' | 'wrong' | 'expired' | 'viewer' | 'operator' | 'admin' | 'other' | 'master';
type Expect = 401 | 403 | 404 | 'allowed' | 'public';

/** What each principal should get: authentication, then the role's permission, then tenant visibility. */
function expected(route: RouteRow, who: Who, roles: Record<string, Role>): Expect {
  if (route.auth === false) return 'public';
  // Open to anyone; a token brought along is still checked (and a bad one refused).
  if (route.auth === 'optional' && route.permission === undefined) return who === 'none' ? 'public' : who === 'wrong' || who === 'expired' ? 401 : 'allowed';
  if (who === 'none' || who === 'wrong' || who === 'expired') return 401;
  const permission = route.permission ?? 'admin';
  if (!can({ id: who, kind: who === 'master' ? 'master' : 'key', role: roles[who] }, permission)) return 403;
  if (who === 'other' && /\/:/.test(route.url) && /^\/v1\/(sessions|auth\/keys)\//.test(route.url)) return 404;
  return 'allowed';
}

t.test('every route answers every principal as its permission and tenant say, with no leaks', async (t) => {
  const stateDir = await mkdtemp(join(tmpdir(), 'aegis-matrix-'));
  const work = await mkdtemp(join(tmpdir(), 'aegis-matrix-work-'));
  t.teardown(() => Promise.all([rm(stateDir, { recursive: true, force: true }), rm(work, { recursive: true, force: true })]));
  const expired = await seedExpiredKey(stateDir, { name: 'expired', role: 'admin', tenantId: 'tenant-a' });
  const table = routeTable();
  const app = await buildTestApp({
    stateDir, catalogue: table.catalogue,
    plugins: { command: { command: '/bin/cat', quietMs: 50 }, auth: { failureLimit: 1_000_000 } },
    config: { tenantWorkdirs: { 'tenant-a': { root: work } } },
  });
  t.teardown(() => app.close());

  const tokens: Record<Who, string | undefined> = {
    none: undefined, expired: expired.key, master: TEST_TOKEN,
    viewer: (await createKey(app, { name: 'viewer', role: 'viewer', tenantId: 'tenant-a' })).key,
    operator: (await createKey(app, { name: 'operator', role: 'operator', tenantId: 'tenant-a' })).key,
    admin: (await createKey(app, { name: 'admin', role: 'admin', tenantId: 'tenant-a' })).key,
    other: (await createKey(app, { name: 'other', role: 'admin', tenantId: 'tenant-b' })).key,
    wrong: undefined,
  };
  const victim = await createKey(app, { name: 'victim', role: 'viewer', tenantId: 'tenant-a' });
  tokens.wrong = `aegis_${victim.id}_${'A'.repeat(43)}`;
  const roles: Record<string, Role> = { viewer: 'viewer', operator: 'operator', admin: 'admin', other: 'admin', master: 'admin' };
  const created = await app.inject({ method: 'POST', url: '/v1/sessions', headers: bearer(tokens.operator), payload: { workDir: work, agent: 'command' } });
  t.equal(created.statusCode, 201);
  const sessionA = created.json().id as string;

  const bodies: Record<string, unknown> = {
    'POST /v1/sessions': { workDir: work, agent: 'command' },
    'POST /v1/sessions/:id/send': { text: 'hello' },
    'POST /v1/sessions/:id/answer': { text: 'x' },
    'POST /v1/auth/keys': { name: 'matrix', role: 'viewer' },
  };
  const fill = (url: string) => url.startsWith('/v1/auth/keys/')
    ? url.replace(/:[^/]+/, victim.id)
    : url.replace(/:[^/]+/, url.startsWith('/v1/sessions/') || url.startsWith('/v1/hooks/') ? sessionA : 'x').replace(/:[^/]+/g, 'x');

  // Destructive routes last, so the resources stay in place for the others as long as possible.
  const rows = [...table.rows].sort((a, b) => Number(a.method === 'DELETE') - Number(b.method === 'DELETE'));
  t.ok(rows.length >= 20, `${rows.length} routes were collected`);
  t.ok(rows.some((r) => r.url === '/v1/health') && rows.some((r) => r.url === '/v1/openapi.json'), 'routes of kernel and early plugins are in the table');
  const who: Who[] = ['none', 'wrong', 'expired', 'viewer', 'operator', 'admin', 'other', 'master'];
  const failures: string[] = [];
  const tally: Record<string, number> = {};
  let checked = 0;
  for (const route of rows) {
    for (const w of who) {
      const url = fill(route.url);
      const payload = ['POST', 'PUT', 'PATCH'].includes(route.method) ? (bodies[`${route.method} ${route.url}`] ?? {}) : undefined;
      // A stream that passes auth never ends; a bad Last-Event-ID makes it answer 400 right after the checks.
      const streamStop = route.stream ? { 'last-event-id': 'not-a-number' } : {};
      const headers = { ...(tokens[w] ? bearer(tokens[w]) : {}), ...streamStop };
      const res = await app.inject({ method: route.method as HTTPMethods, url, headers, ...(payload ? { payload: payload as object } : {}) });
      const want = expected(route, w, roles);
      const got = res.statusCode;
      const where = `${route.method} ${route.url} as ${w}: got ${got}, want ${want}`;
      checked++;
      tally[String(want)] = (tally[String(want)] ?? 0) + 1;
      if (want === 'public') { if (got >= 500) failures.push(where); continue; }
      if (typeof want === 'number' && got !== want) failures.push(where);
      if (want === 'allowed' && (got >= 500 || [401, 403, 404].includes(got))) failures.push(`${where} ${res.body.slice(0, 200)}`);
      if (w === 'other' && got < 300 && route.method !== 'HEAD') {
        for (const secret of [sessionA, victim.id, 'tenant-a']) if (res.body.includes(secret)) failures.push(`${where}: leaks ${secret}`);
      }
      if (got === 401 || got === 403) t.notOk(res.body.includes(tokens[w] ?? '\u0000'), 'no token echoed');
    }
  }
  t.comment(`expected outcomes: ${JSON.stringify(tally)}`);
  t.same(failures, [], `${checked} route x principal checks, 0 leaks`);
  t.ok(checked >= rows.length * who.length);
});
