import type { Principal } from './principal.js';

/** Every permission a route may require with `config: { permission }`. */
export const PERMISSIONS = ['read', 'create', 'send', 'approve', 'reject', 'kill', 'audit', 'bypass', 'metrics', 'admin'] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** Roles in increasing power. */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/**
 * What each role may do. `admin` may do everything, including permissions added later. `bypass`
 * (create sessions in permissionMode bypassPermissions) is no role's but admin's: keys get it
 * explicitly.
 */
export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  viewer: ['read'],
  operator: ['read', 'create', 'send', 'approve', 'reject', 'kill'],
  admin: PERMISSIONS,
};

/**
 * The permission a route needs: the declared one, else `admin`, so a route whose author forgot
 * to declare one is closed to everyone but admins rather than open to every key.
 */
export function requiredPermission(declared: string | undefined): string {
  return declared ?? 'admin';
}

/** Whether `principal` holds `permission` through its role or its extra permissions. */
export function can(principal: Principal, permission: string): boolean {
  if (principal.role === 'admin') return true;
  const byRole = ROLE_PERMISSIONS[principal.role] as readonly string[] | undefined;
  return (byRole?.includes(permission) ?? false) || (principal.permissions?.includes(permission) ?? false);
}
