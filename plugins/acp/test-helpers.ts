import { removeAll, scratch } from '../../test/support/acp.js';
import { startModelServer } from '../../test/support/model-server.js';
import { createSandboxHome } from '../../test/support/sandbox-home.js';

export { acpApp, fixture, removeAll, scratch } from '../../test/support/acp.js';
export { nextEvent, waitState } from '../../test/support/wait.js';
export { waitGone } from '../../test/support/process.js';

/**
 * The scripted model server, a sandbox HOME trusting a fresh workDir, and the `plugins.acp`
 * options that point claude-acp at both. Everything is removed at teardown.
 */
export async function claudeSandbox(t: { teardown(fn: () => unknown): void }) {
  const model = await startModelServer();
  const work = await scratch('aegis-claude-acp-work-');
  const sandbox = await createSandboxHome({ baseUrl: model.url, workDirs: [work] });
  t.teardown(async () => { await model.close(); await sandbox.cleanup(); await removeAll(work); });
  // IS_SANDBOX is left out: when it matters (running as root) the driver must set it itself.
  const { IS_SANDBOX: _set, ...env } = sandbox.env;
  return { model, sandbox, work, acp: { env, requestTimeoutMs: 60000 } };
}
