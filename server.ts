// Tracing first: when it is on, the OpenTelemetry SDK must be running before fastify and http
// load (the same module `node --import` preloads; imported twice it runs once).
await import('./plugins/tracing/preload.js');
const [{ main }, { catalogue }] = await Promise.all([import('./kernel/main.js'), import('./plugins/index.js')]);

await main({ argv: process.argv.slice(2), catalogue });
