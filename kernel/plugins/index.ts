export { resolvePlugins } from './resolve.js';
export { loadPluginModule, isPathSpecifier } from './load.js';
export type { AegisPluginModule, Catalogue, CatalogueEntry, ResolvedPlugin } from './types.js';
export { pluginMeta } from './types.js';
