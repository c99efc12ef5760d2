import fp from 'fastify-plugin';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { DashboardOptions } from './schema.js';
import { dashboardRoutes } from './routes.js';

export { optionsSchema, DASHBOARD_CSP, type DashboardOptions } from './schema.js';

/** Where `npm run build` puts the bundle: `dashboard/dist` at the package root (two or three levels up). */
export function defaultRoot(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const candidates = [join(here, '..', '..', '..', 'dashboard', 'dist'), join(here, '..', '..', 'dashboard', 'dist')];
  return candidates.find((c) => existsSync(c)) ?? candidates[0]!;
}

/** The dashboard plugin: the web app at `/dashboard/`, static files only, under the guide's CSP. */
async function dashboard(app: FastifyInstance, options: DashboardOptions) {
  const root = options.root ?? defaultRoot();
  const log = app.log.child({ plugin: 'dashboard' });
  if (!existsSync(join(root, 'index.html'))) log.warn({ root }, 'dashboard bundle not found; run npm run build');
  // Encapsulated: the CSP hook and the static decorator stay inside the dashboard's routes.
  await app.register(dashboardRoutes, { root });
}

export default fp(dashboard, { name: 'dashboard', fastify: '5.x', dependencies: ['auth'] });
