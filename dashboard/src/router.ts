/** The dashboard's pages, by path under /dashboard/. */
export type Route =
  | { page: 'sessions' }
  | { page: 'new' }
  | { page: 'session'; id: string }
  | { page: 'audit' }
  | { page: 'keys' }
  | { page: 'server' };

export const BASE = '/dashboard/';

/** The route of a path; unknown paths show the sessions list. */
export function parseRoute(pathname: string): Route {
  const rest = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : '';
  const parts = rest.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'new') return { page: 'new' };
  if (parts[0] === 'sessions' && parts[1]) return { page: 'session', id: parts[1] };
  if (parts[0] === 'audit') return { page: 'audit' };
  if (parts[0] === 'keys') return { page: 'keys' };
  if (parts[0] === 'server') return { page: 'server' };
  return { page: 'sessions' };
}

export const sessionHref = (id: string) => `${BASE}sessions/${encodeURIComponent(id)}`;

/** Goes to a dashboard path without a reload. */
export function navigate(href: string): void {
  if (location.pathname + location.search === href) return;
  history.pushState(null, '', href);
  window.dispatchEvent(new PopStateEvent('popstate'));
}
