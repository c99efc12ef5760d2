import { packageBin } from '../sessions/index.js';
import { AcpClaudeMissing } from './errors.js';
import type { AcpAgentSpec } from './driver.js';
import type { AcpOptions } from './schema.js';

const PACKAGE = '@agentclientprotocol/claude-agent-acp';

/** Server env names the Claude Agent SDK reads: credentials, endpoint, and its own switches. */
export const CLAUDE_ENV_PASS: readonly string[] = ['ANTHROPIC_*', 'CLAUDE_CODE_*', 'DISABLE_*'];

/** The absolute path of claude-agent-acp's bin script, from the installed package. Throws ACP_CLAUDE_MISSING. */
export function claudeAgentBin(): string {
  try {
    return packageBin(PACKAGE, 'claude-agent-acp');
  } catch (err) {
    throw new AcpClaudeMissing((err as Error).message);
  }
}

/**
 * The environment additions claude-agent-acp needs. As root, Claude Code refuses to skip
 * permissions and claude-agent-acp withholds the `bypassPermissions` mode unless IS_SANDBOX is
 * set; Aegis sets it only then, because the session's own permission mode is what governs.
 * CLAUDE_CODE_EXECUTABLE picks the CLI the Claude Agent SDK runs (default: its bundled cli.js,
 * run with this same Node).
 */
export function claudeEnv(opts: AcpOptions['claude'], uid = process.getuid?.()): Record<string, string> {
  const env: Record<string, string> = {};
  if (uid === 0) env.IS_SANDBOX = '1';
  if (opts.executable) env.CLAUDE_CODE_EXECUTABLE = opts.executable;
  return env;
}

/**
 * The `claude-acp` agent: claude-agent-acp (the Claude Agent SDK, hence Claude Code, behind
 * ACP), run with the server's own Node so no PATH lookup decides which one. It reads
 * ANTHROPIC_BASE_URL / ANTHROPIC_API_KEY and HOME (~/.claude.json, ~/.claude/) like the CLI.
 */
export function claudeAgent(opts: AcpOptions): AcpAgentSpec {
  // Resolved at first start, so a server without the package still boots; creating fails clearly.
  let bin: string | undefined;
  return {
    name: 'claude-acp',
    // The maintained adapter ends a cancelled prompt cleanly (0.23 of Zed's package left its end in
    // the stream and needed a fresh process after every cancel): the same process takes the next one.
    launch: (ctx) => {
      bin ??= claudeAgentBin();
      return {
        command: process.execPath,
        args: [bin, ...opts.claude.args],
        cwd: ctx.record.workDir,
        env: ctx.agentEnv(CLAUDE_ENV_PASS, ctx.record.env, opts.env, claudeEnv(opts.claude, ctx.agentUser?.uid ?? process.getuid?.())),
      };
    },
  };
}
