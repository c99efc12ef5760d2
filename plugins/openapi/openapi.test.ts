import t from 'tap';
import { catalogue } from '../index.js';
import { cleanup, sessionsApp } from '../../test/support/app.js';

t.test('the document lists the routes of plugins loaded after it, with their schemas', async (t) => {
  const h = await sessionsApp({ extra: { openapi: catalogue.openapi } });
  t.teardown(async () => { await h.app.close(); await cleanup(h.stateDir, h.work); });
  const res = await h.inject('GET', '/v1/openapi.json');
  t.equal(res.status, 200);
  t.equal(res.json.openapi, '3.0.3');
  t.ok(res.json.paths['/v1/sessions']?.post?.requestBody, 'a body schema is documented');
  t.ok(res.json.paths['/v1/sessions/{id}']?.get?.parameters?.some((p: { name: string }) => p.name === 'id'), 'path parameters are documented');
  t.ok(res.json.paths['/v1/health']?.get, 'kernel routes are documented');
  t.notOk(res.json.paths['/v1/openapi.json'], 'hidden routes are left out');
  t.notOk(Object.values(res.json.paths).some((p) => Object.hasOwn(p as object, 'head')), 'HEAD twins are left out');
});

t.test('concurrent first requests all get the same document, and later ones too', async (t) => {
  const h = await sessionsApp({ extra: { openapi: catalogue.openapi } });
  t.teardown(async () => { await h.app.close(); await cleanup(h.stateDir, h.work); });
  const first = await Promise.all([1, 2, 3].map(() => h.inject('GET', '/v1/openapi.json')));
  const later = await h.inject('GET', '/v1/openapi.json');
  for (const r of [...first, later]) t.equal(r.status, 200);
  for (const r of [...first.slice(1), later]) t.same(r.json, first[0]!.json);
});

t.test('the document needs a token like the rest of the API', async (t) => {
  const h = await sessionsApp({ extra: { openapi: catalogue.openapi } });
  t.teardown(async () => { await h.app.close(); await cleanup(h.stateDir, h.work); });
  const res = await h.app.inject({ method: 'GET', url: '/v1/openapi.json' });
  t.equal(res.statusCode, 401);
  t.equal(res.json().code, 'AEGIS_ERR_AUTH_MISSING_TOKEN');
});
