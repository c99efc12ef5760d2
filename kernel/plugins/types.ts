import type { FastifyPluginAsync, FastifyPluginCallback } from 'fastify';
import type { TSchema } from '@sinclair/typebox';
import type { EnvOptions } from '../config/env.js';

export type { EnvOptions };

/** What a plugin module exports: the fastify-plugin-wrapped plugin and, optionally, its options schema. */
export interface AegisPluginModule {
  // biome-ignore lint/suspicious/noExplicitAny: each plugin types its own options; the kernel checks them against optionsSchema
  default: FastifyPluginAsync<any> | FastifyPluginCallback<any>;
  /** TypeBox schema of the plugin's `plugins.<name>` options block; defaults are applied from it. */
  optionsSchema?: TSchema;
  /**
   * The deployment guide's variables this plugin owns: variable name -> dot path inside its
   * options (`{ CLAUDE_DATA_DIR: 'dataDir' }`). Values are coerced per `optionsSchema` and beat
   * the file. The plugin never reads `process.env` itself.
   */
  envOptions?: EnvOptions;
}

/** One entry of the catalogue: how to load the plugin and whether it runs without being listed. */
export interface CatalogueEntry {
  load: () => Promise<AegisPluginModule>;
  /** On unless the config says `false`. Others run only when listed, or when an enabled plugin needs them. */
  enabledByDefault: boolean;
  description: string;
  /**
   * A variable whose true/false turns this plugin on/off, beating the file
   * (`AEGIS_OTEL_ENABLED` for `tracing`). Unset leaves the file and `enabledByDefault` in charge.
   */
  enableEnv?: string;
}

/** The literal catalogue `name -> entry` (plugins/index.ts). */
export type Catalogue = Readonly<Record<string, CatalogueEntry>>;

/** A plugin ready to register: its options validated, its place in the order fixed. */
export interface ResolvedPlugin {
  name: string;
  /** Where it came from: a catalogue name, or the specifier of a third-party module. */
  source: string;
  plugin: AegisPluginModule['default'];
  options: Record<string, unknown>;
  dependencies: string[];
}

/** The metadata fastify-plugin stores on a wrapped plugin. */
export interface PluginMeta {
  name?: string;
  dependencies?: string[];
  decorators?: unknown;
  fastify?: string;
}

export function pluginMeta(plugin: unknown): PluginMeta {
  return ((plugin as Record<symbol, PluginMeta> | undefined)?.[Symbol.for('plugin-meta')]) ?? {};
}
