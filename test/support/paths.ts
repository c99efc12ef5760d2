import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Root of the repository (tests run from dist/, two levels below it). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** The compiled server entry point. */
export const SERVER_JS = join(REPO_ROOT, 'dist', 'server.js');
/** The compiled tree. */
export const DIST = join(REPO_ROOT, 'dist');
