/**
 * The kernel's public surface. Plugins (first- and third-party) import the kernel only from
 * here; every other file under kernel/ is private to it.
 */
import './types.js';

export type { AegisConfig } from './config/schema.js';
export { defineError, BootError, ErrorBodySchema, type ErrorBody } from './errors.js';
export { EventBus, type AegisEvents, type AegisEnvelope } from './events.js';
export type { Lifecycle } from './lifecycle.js';
export { VERSION } from './health.js';
export { flagValue } from './flags.js';
export {
  atomicWrite, atomicWriteJson, DurableAppender, ensureStateDir, fsyncDir, parseJsonLines, readJsonIfExists,
  type StateDir,
} from './state-dir.js';
export { DirSyncer, dirSyncer } from './dir-sync.js';
export { safeEqual, loadOrCreateSecret } from './secrets.js';
export { pluginMeta, type AegisPluginModule, type Catalogue, type CatalogueEntry, type EnvOptions } from './plugins/types.js';
export { resolveConfigPath, serverEnv } from './config/load.js';
export type { Env } from './config/env.js';
export { setLogMixin, type LogMixin } from './logger.js';
export {
  SpanAttr, withSpan, withSpanSync, startSpan, currentContext, inSpan, failSpan, annotateSpan, traceHeaders, spanEvent,
} from './trace.js';
export { earlyPluginOptions } from './plugins/early.js';
