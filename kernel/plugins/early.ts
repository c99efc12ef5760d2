import { loadConfig } from '../config/load.js';
import { flagValue } from '../flags.js';
import { resolvePlugins } from './resolve.js';
import type { CatalogueEntry } from './types.js';

/**
 * Whether plugin `key` will run, and its validated options, decided exactly as the boot will
 * decide it (the file, the plugin's variables, its enable variable). For code that must act before
 * the server is built, such as the tracing preload. `undefined` when the plugin is off.
 */
export async function earlyPluginOptions(key: string, entry: CatalogueEntry, argv: readonly string[]): Promise<Record<string, unknown> | undefined> {
  const config = await loadConfig({ configPath: flagValue(argv, '--config', '-c') || undefined });
  // Only this plugin is looked at: the rest of the catalogue is not loaded this early.
  config.plugins = Object.hasOwn(config.plugins, key) ? { [key]: config.plugins[key] } : {};
  const resolved = await resolvePlugins(config, { [key]: entry });
  return resolved.find((p) => p.name === key)?.options;
}
