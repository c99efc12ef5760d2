import { BootError } from '../errors.js';
import { validateOrThrow } from '../config/validate.js';
import type { AegisConfig } from '../config/schema.js';
import { enableSwitch, overlayPluginEnv, type Env } from '../config/env.js';
import { envOf } from '../config/load.js';
import { loadPluginModule } from './load.js';
import { pluginMeta, type Catalogue, type ResolvedPlugin } from './types.js';

/**
 * Each plugin's on/off as the config says it: the file's `plugins:` entry, overridden by the
 * catalogue entry's `enableEnv` variable when that is set (env beats the file).
 */
function switches(config: AegisConfig, catalogue: Catalogue, env: Env): Record<string, unknown> {
  const listed: Record<string, unknown> = { ...config.plugins };
  for (const [k, e] of Object.entries(catalogue)) {
    const on = e.enableEnv ? enableSwitch(e.enableEnv, env) : undefined;
    if (on === false) listed[k] = false;
    else if (on === true && (listed[k] === undefined || listed[k] === false)) listed[k] = true;
  }
  return listed;
}

/** Which plugins run: the default-on ones, plus the listed ones, minus those set to `false`. */
function selectKeys(listed: Record<string, unknown>, catalogue: Catalogue): string[] {
  const keys = Object.entries(catalogue).filter(([k, e]) => e.enabledByDefault && listed[k] !== false).map(([k]) => k);
  for (const [k, v] of Object.entries(listed)) if (v !== false && !keys.includes(k)) keys.push(k);
  // Catalogue plugins boot in catalogue order whether on by default or listed; others follow.
  const at = (k: string) => { const i = Object.keys(catalogue).indexOf(k); return i < 0 ? Infinity : i; };
  return keys.sort((a, b) => at(a) - at(b));
}

function optionsOf(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
}

async function loadOne(key: string, config: AegisConfig, catalogue: Catalogue, env: Env): Promise<ResolvedPlugin> {
  const mod = await loadPluginModule(key, catalogue, config.baseDir);
  const meta = pluginMeta(mod.default);
  const name = Object.hasOwn(catalogue, key) ? key : meta.name ?? key;
  const fromFile = optionsOf(config.plugins[key]);
  const raw = mod.envOptions ? overlayPluginEnv(key, fromFile, mod.envOptions, mod.optionsSchema, env) : fromFile;
  const options = mod.optionsSchema
    ? validateOrThrow<Record<string, unknown>>(mod.optionsSchema, raw, `plugins.${key}`, 'AEGIS_ERR_PLUGIN_OPTIONS_INVALID')
    : raw;
  return { name, source: key, plugin: mod.default, options, dependencies: meta.dependencies ?? [] };
}

/** Orders plugins so each comes after its dependencies, keeping catalogue order otherwise. */
function order(plugins: ResolvedPlugin[]): ResolvedPlugin[] {
  const byName = new Map(plugins.map((p) => [p.name, p]));
  const done = new Set<string>();
  const out: ResolvedPlugin[] = [];
  const visit = (p: ResolvedPlugin, trail: string[]) => {
    if (done.has(p.name)) return;
    if (trail.includes(p.name)) {
      const cycle = [...trail.slice(trail.indexOf(p.name)), p.name].join(' -> ');
      throw new BootError('AEGIS_ERR_PLUGIN_CYCLE', `config: plugins depend on each other in a cycle: ${cycle}`);
    }
    for (const dep of p.dependencies) visit(byName.get(dep)!, [...trail, p.name]);
    done.add(p.name);
    out.push(p);
  };
  for (const p of plugins) visit(p, []);
  return out;
}

/**
 * Resolves the config's `plugins:` map against the catalogue: selects, loads, validates options,
 * pulls in needed catalogue plugins that are merely unlisted, and orders by dependencies.
 * Plugins' declared variables (`envOptions`, `enableEnv`) are read from the environment the config
 * was loaded with. Unknown plugins, disabled or unknown dependencies, cycles and invalid options
 * stop the boot.
 */
export async function resolvePlugins(config: AegisConfig, catalogue: Catalogue): Promise<ResolvedPlugin[]> {
  const env = envOf(config);
  const listed = switches(config, catalogue, env);
  const resolved: ResolvedPlugin[] = [];
  for (const key of selectKeys(listed, catalogue)) resolved.push(await loadOne(key, config, catalogue, env));
  for (let i = 0; i < resolved.length; i++) {
    for (const dep of resolved[i].dependencies) {
      if (resolved.some((p) => p.name === dep)) continue;
      if (listed[dep] === false) {
        const why = config.plugins[dep] === false ? `plugins.${dep} is false` : `${catalogue[dep]?.enableEnv} turns it off`;
        throw new BootError('AEGIS_ERR_PLUGIN_DEPENDENCY_DISABLED',
          `config: plugins.${resolved[i].source} needs plugin ${dep}, but ${why}`);
      }
      if (!Object.hasOwn(catalogue, dep)) {
        throw new BootError('AEGIS_ERR_PLUGIN_DEPENDENCY_UNKNOWN',
          `config: plugins.${resolved[i].source} needs plugin ${dep}, which is not in the catalogue or the config`);
      }
      resolved.push(await loadOne(dep, config, catalogue, env));
    }
  }
  return order(resolved);
}
