export { loadConfig, SEARCH_PLACES, type LoadOptions } from './load.js';
export { ConfigSchema, type AegisConfig } from './schema.js';
export { ENV_MAP } from './env.js';
export { resolveHost, runningInDocker, DEFAULT_PROBE, type DockerProbe } from './docker.js';
export { validateOrThrow } from './validate.js';
