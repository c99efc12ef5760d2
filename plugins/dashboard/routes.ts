import { existsSync, statSync } from 'node:fs';
import { normalize, resolve, sep } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DASHBOARD_CSP } from './schema.js';
import { DashboardNotBuilt } from './errors.js';

type Send = typeof import('@fastify/send').default;
let sendModule: Promise<Send> | undefined;

/**
 * The file sender (conditional GET, ranges, content types), loaded on the first dashboard request:
 * a server whose dashboard nobody opens never loads it and its MIME table.
 */
function loadSend(): Promise<Send> {
  sendModule ??= import('@fastify/send').then(({ default: send }) => {
    // A file of unknown type goes out as bytes, never sniffed as something a browser would run.
    (send.mime as unknown as { default_type: string }).default_type = 'application/octet-stream';
    return send;
  });
  return sendModule;
}

/**
 * Streams `rel` (a file already known to be inside `root`) with send's status and headers: 200,
 * 206 for a range, 304 when the browser's copy is current. Anything else is a plain 404.
 */
async function sendFile(request: FastifyRequest, reply: FastifyReply, root: string, rel: string) {
  const send = await loadSend();
  const { statusCode, headers, stream, type } = await send(request.raw, encodeURI(`/${rel}`), { root, cacheControl: false, dotfiles: 'deny' });
  if (type !== 'file') {
    stream.destroy();
    return reply.code(404).type('text/plain').send('not found');
  }
  reply.code(statusCode).headers(headers);
  return reply.send(stream);
}

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
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('content-security-policy', DASHBOARD_CSP);
    return payload;
  });

  const index = (request: FastifyRequest, reply: FastifyReply) => {
    if (!existsSync(resolve(root, 'index.html'))) throw new DashboardNotBuilt(root);
    reply.header('cache-control', 'no-cache');
    return sendFile(request, reply, root, 'index.html');
  };

  const config = { auth: false };
  app.get('/dashboard', { config, schema: { hide: true } }, async (_request, reply) => reply.redirect('/dashboard/', 301));
  app.get('/dashboard/', { config, schema: { hide: true } }, async (request, reply) => index(request, reply));
  app.get<{ Params: { '*': string } }>('/dashboard/*', { config, schema: { hide: true } }, async (request, reply) => {
    const rel = normalize(request.params['*']).replace(/^([/\\])+/, '');
    const file = resolve(root, rel);
    const inside = file.startsWith(root + sep);
    if (inside && rel !== 'index.html' && existsSync(file) && statSync(file).isFile()) {
      reply.header('cache-control', HASHED.test(rel) ? 'public, max-age=31536000, immutable' : 'no-cache');
      return sendFile(request, reply, root, rel);
    }
    // A missing asset is a 404, not the page: a stale script name must not load HTML as code.
    if (rel.startsWith('assets/')) return reply.code(404).type('text/plain').send('not found');
    return index(request, reply);
  });
}
