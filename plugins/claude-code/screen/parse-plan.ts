import type { PendingPermission } from '../../sessions/index.js';
import { parseOptions, publicOptions } from './options.js';
import { isDashedRule, lastIndex } from './text.js';

/**
 * The plan-approval menu (`plan-approval*.txt`): ` Ready to code?`, the plan between dashed rules,
 * ` ... Would you like to proceed?` and `1. Yes, and use auto mode` / `2. Yes, manually approve
 * edits` / `3. Tell Claude what to change`. Without a plan file the CLI asks ` Exit plan mode?`
 * with `1. Yes` / `2. No` (`plan-approval-nofile.txt`). A plan taller than the screen is cut at the
 * top; `detail` then holds what is visible.
 */
export function parsePlanApproval(lines: readonly string[]): PendingPermission | undefined {
  const proceed = lastIndex(lines, /Would you like to proceed\?$/);
  if (proceed >= 0) {
    const options = parseOptions(lines, proceed + 1);
    if (!options.some((o) => /^Yes, manually approve/i.test(o.label))) return undefined;
    const ready = lastIndex(lines, /^ (Ready to code\?|Here is Claude's plan:)$/, proceed);
    const close = lastIndex(lines, /^\s*╌{8,}/, proceed);
    const open = close > 0 ? lastIndex(lines, /^\s*╌{8,}/, close - 1) : -1;
    const from = open >= 0 ? open + 1 : ready >= 0 ? ready + 1 : 0;
    const plan = lines.slice(from, close > from ? close : proceed)
      .filter((l) => !isDashedRule(l) && !/^─{8,}/.test(l) && !/^ (Ready to code\?|Here is Claude's plan:)$/.test(l))
      .map((l) => l.trim()).join('\n').trim();
    return { kind: 'plan', tool: 'ExitPlanMode', detail: plan, options: publicOptions(options) };
  }
  const exit = lastIndex(lines, /^ Exit plan mode\?$/);
  if (exit < 0) return undefined;
  const options = parseOptions(lines, exit + 1);
  if (options.length < 2) return undefined;
  const said = lines.slice(exit + 1).find((l) => l.trim() && !/^\s*(❯\s*)?\d+\./.test(l))?.trim() ?? '';
  return { kind: 'plan', tool: 'ExitPlanMode', detail: said, options: publicOptions(options) };
}
