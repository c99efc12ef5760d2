import type { PendingPermission } from '../../sessions/index.js';
import { parseOptions, parseUnnumbered, publicOptions, type ScreenOption } from './options.js';
import { isDashedRule, lastIndex } from './text.js';

/** Tool names for the headers the CLI draws above a tool permission prompt. */
const HEADERS: Record<string, string> = {
  'Bash command': 'Bash',
  'Create file': 'Write',
  'Edit file': 'Edit',
  'Read file': 'Read',
  'Fetch': 'WebFetch',
};

/** The dialog region: from the last full rule above `question` down to the end. */
function dialogTop(lines: readonly string[], question: number): number {
  const top = lastIndex(lines, /^─{8,}/, question);
  return Math.max(0, top);
}

function nonEmpty(lines: readonly string[], from: number, to: number): string[] {
  return lines.slice(from, to).filter((l) => l.trim() !== '');
}

/**
 * A tool permission prompt (`permission-*.txt`): a header (` Bash command`, ` Create file`, ...),
 * what the tool wants, ` Do you want to ...?`, numbered options and ` Esc to cancel`. `detail` is
 * the command (Bash, with its description line if the CLI drew one) or the file name; the state
 * layer replaces it with the exact tool input from the PreToolUse hook when it has one.
 */
export function parseToolPermission(lines: readonly string[]): PendingPermission | undefined {
  const q = lastIndex(lines, /^ Do you want to .*\?$/);
  if (q < 0 || lastIndex(lines, /^ Esc to cancel/, lines.length - 1, q) < 0) return undefined;
  const options = parseOptions(lines, q + 1);
  if (options.length < 2) return undefined;
  const top = dialogTop(lines, q);
  const body = nonEmpty(lines, top + 1, q).filter((l) => !isDashedRule(l));
  const header = (body[0] ?? '').trim();
  const tool = HEADERS[header] ?? (header || 'unknown');
  let detail: string;
  if (tool === 'Bash') {
    detail = body.slice(1).filter((l) => l.startsWith('   ') && !/^ This command requires approval/.test(l)).map((l) => l.trim()).join('\n');
  } else {
    detail = (body[1] ?? '').trim();
  }
  return { kind: 'tool', tool, detail, options: publicOptions(options) };
}

/**
 * The folder-trust dialog (`trust.txt`): ` Accessing workspace:`, the path, `1. Yes, I trust this
 * folder` (newer releases: an unnumbered `❯ No, exit` / `Yes, I trust this folder`, returned in
 * `unnumbered` with the cursor, to be answered with arrows).
 */
export function parseTrust(lines: readonly string[]): (PendingPermission & { unnumbered?: ScreenOption[] }) | undefined {
  const at = lastIndex(lines, /^ Accessing workspace:$/);
  if (at < 0) return undefined;
  const numbered = parseOptions(lines, at + 1);
  const options = numbered.length ? numbered : parseUnnumbered(lines, at + 1);
  if (!options.some((o) => /trust this folder/i.test(o.label))) return undefined;
  const path = nonEmpty(lines, at + 1, lines.length)[0]?.trim() ?? '';
  return { kind: 'trust', tool: 'trust', detail: path, options: publicOptions(options), ...(numbered.length ? {} : { unnumbered: options }) };
}

/**
 * Start-up gates that, like the trust dialog, ask the operator to accept something before the CLI
 * runs: the Bypass Permissions warning (`bypass-disclaimer.txt`) and the custom API key question
 * (`api-key-prompt.txt`). Both show as `permission_prompt` of kind `trust`.
 */
export function parseStartupGate(lines: readonly string[]): PendingPermission | undefined {
  const bypass = lastIndex(lines, /WARNING: Claude Code running in Bypass Permissions mode/);
  if (bypass >= 0) {
    const options = parseOptions(lines, bypass + 1);
    if (options.length >= 2) return { kind: 'trust', tool: 'bypassPermissions', detail: 'Bypass Permissions mode', options: publicOptions(options) };
  }
  const key = lastIndex(lines, /Detected a custom API key in your environment/);
  if (key >= 0) {
    const options = parseOptions(lines, key + 1);
    const which = nonEmpty(lines, key + 1, lines.length)[0]?.trim() ?? '';
    if (options.length >= 2) return { kind: 'trust', tool: 'apiKey', detail: which, options: publicOptions(options) };
  }
  return undefined;
}

