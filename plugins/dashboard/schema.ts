import { Type, type Static } from '@sinclair/typebox';

/** The `plugins.dashboard` options block. */
export const optionsSchema = Type.Object({
  root: Type.Optional(Type.String({ minLength: 1, description: 'Folder of the built dashboard; defaults to the package\'s dashboard/dist' })),
}, { additionalProperties: false });

/** Validated dashboard options. */
export type DashboardOptions = Static<typeof optionsSchema>;

/**
 * The Content-Security-Policy of every dashboard response, exactly as the deployment guide states
 * it ("Dashboard Security Defaults").
 */
export const DASHBOARD_CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self' ws: wss: https://registry.npmjs.org; frame-ancestors 'none'; frame-src 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";
