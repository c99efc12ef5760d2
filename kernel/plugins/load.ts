import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BootError } from '../errors.js';
import type { AegisPluginModule, Catalogue } from './types.js';

/** True when a `plugins:` key names a file rather than a catalogue entry or a package. */
export function isPathSpecifier(key: string): boolean {
  return key.startsWith('./') || key.startsWith('../') || isAbsolute(key);
}

function closest(name: string, names: string[]): string | undefined {
  const distance = (a: string, b: string) => {
    const d = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
      let prev = d[0];
      d[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const tmp = d[j];
        d[j] = Math.min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
        prev = tmp;
      }
    }
    return d[b.length];
  };
  const best = names.map((n) => [n, distance(name, n)] as const).sort((x, y) => x[1] - y[1])[0];
  return best && best[1] <= 2 ? best[0] : undefined;
}

function unknown(key: string, catalogue: Catalogue, why: string): BootError {
  const hint = closest(key, Object.keys(catalogue));
  return new BootError('AEGIS_ERR_PLUGIN_UNKNOWN',
    `config: plugins.${key} is not a known plugin${hint ? ` (did you mean ${hint}?)` : ''}: ${why}; known: ${Object.keys(catalogue).join(', ')}`);
}

/**
 * Loads one plugin module: from the catalogue by name, from a file path (relative to the config
 * file's folder), or from an installed npm package resolved from that folder.
 */
export async function loadPluginModule(key: string, catalogue: Catalogue, baseDir: string): Promise<AegisPluginModule> {
  const entry = Object.hasOwn(catalogue, key) ? catalogue[key] : undefined;
  if (entry) return entry.load();
  let url: string;
  if (isPathSpecifier(key)) {
    url = pathToFileURL(resolve(baseDir, key)).href;
  } else {
    try {
      url = pathToFileURL(createRequire(join(baseDir, 'noop.js')).resolve(key)).href;
    } catch {
      throw unknown(key, catalogue, 'not in the catalogue and no such package is installed');
    }
  }
  let mod: AegisPluginModule;
  try {
    mod = (await import(url)) as AegisPluginModule;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && isPathSpecifier(key)) {
      throw unknown(key, catalogue, `no module at ${resolve(baseDir, key)}`);
    }
    throw new BootError('AEGIS_ERR_PLUGIN_LOAD', `config: plugins.${key} failed to load: ${(err as Error).message.split('\n')[0]}`);
  }
  if (typeof mod.default !== 'function') {
    throw new BootError('AEGIS_ERR_PLUGIN_LOAD', `config: plugins.${key} does not export a fastify plugin as its default export`);
  }
  return mod;
}
