import { existsSync, statSync } from 'node:fs';
import { normalize, resolve, sep } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fastifyStatic from '@fastify/static';
import { DASHBOARD_CSP } from './schema.js';
import { DashboardNotBuilt } from './errors.js';

/** Hashed file names (`name-1a2b3c4d.js`) never change content, so they may be cached for a year. */
const HASHED = /-[A-Za-z0-9_]{8,}\.[a-z0-9]+$/;

/**
 * `/dashboard/*`: the built files, and `index.html` for every other path so the app's own routes
 * survive a reload. Every response here, errors included, carries the guide's CSP. The routes
 * are open (`auth: false`): they hold only static code, and all data comes from the API with the
 * token the user types in.
 */
export async function dashboardRoutes(app: FastifyInstance, opts: { root: string }) {
  const root = resolve(opts.root);
  await app.register(fastifyStatic, { root, serve: false });
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('content-security-policy', DASHBOARD_CSP);
    return payload;
  });

  const index = (reply: FastifyReply) => {
    if (!existsSync(resolve(root, 'index.html'))) throw new DashboardNotBuilt(root);
    reply.header('cache-control', 'no-cache');
    return reply.sendFile('index.html', { cacheControl: false });
  };

  const config = { auth: false };
  app.get('/dashboard', { config, schema: { hide: true } }, async (_request, reply) => reply.redirect('/dashboard/', 301));
  app.get('/dashboard/', { config, schema: { hide: true } }, async (_request, reply) => index(reply));
  app.get<{ Params: { '*': string } }>('/dashboard/*', { config, schema: { hide: true } }, async (request, reply) => {
    const rel = normalize(request.params['*']).replace(/^([/\\])+/, '');
    const file = resolve(root, rel);
    const inside = file.startsWith(root + sep);
    if (inside && rel !== 'index.html' && existsSync(file) && statSync(file).isFile()) {
      reply.header('cache-control', HASHED.test(rel) ? 'public, max-age=31536000, immutable' : 'no-cache');
      return reply.sendFile(rel, { cacheControl: false });
    }
    // A missing asset is a 404, not the page: a stale script name must not load HTML as code.
    if (rel.startsWith('assets/')) return reply.code(404).type('text/plain').send('not found');
    return index(reply);
  });
}
