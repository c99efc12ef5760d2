import { loadConfig } from '../config/load.js';
import { configFlag } from '../config/argv.js';
import { resolvePlugins } from './resolve.js';
import type { CatalogueEntry } from './types.js';

/**
 * Whether plugin `key` will run, and its validated options, decided exactly as the boot will
 * decide it (the file, the plugin's variables, its enable variable). For code that must act before
 * the server is built, such as the tracing preload. `undefined` when the plugin is off.
 */
export async function earlyPluginOptions(key: string, entry: CatalogueEntry, argv: readonly string[]): Promise<Record<string, unknown> | undefined> {
  const config = await loadConfig({ configPath: configFlag(argv) });
  // Only this plugin is looked at: the rest of the catalogue is not loaded this early.
  config.plugins = Object.hasOwn(config.plugins, key) ? { [key]: config.plugins[key] } : {};
  const resolved = await resolvePlugins(config, { [key]: entry });
  return resolved.find((p) => p.name === key)?.options;
}
