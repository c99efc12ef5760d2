import type { PendingPermission } from '../../sessions/index.js';
import { parseOptions, publicOptions } from './options.js';
import { isDashedRule, lastIndex } from './text.js';

const HEAD = /^\s*(Ready to code\?|Here is Claude's plan:)$/;

/**
 * The plan-approval menu, in either layout and at any indent (newer releases draw it inset by two
 * columns under a `▔` bar). With a plan file: ` Ready to code?`, the plan between dashed rules,
 * ` ... Would you like to proceed?` and options such as `Yes, and use auto mode` / `Yes, manually
 * approve edits` / `Tell Claude what to change`. Without one: ` Exit plan mode?` / `Claude wants
 * to exit plan mode` / `1. Yes` (or `1. Yes, and switch to default (ask each time) for this
 * session`) / `2. No`. Options are classified in the plan context (leaving plan mode for a mode
 * that keeps asking is the plain approval). A plan taller than the screen is cut at the top;
 * `detail` then holds what is visible.
 */
export function parsePlanApproval(lines: readonly string[]): PendingPermission | undefined {
  const proceed = lastIndex(lines, /Would you like to proceed\?$/);
  if (proceed >= 0) {
    const options = publicOptions(parseOptions(lines, proceed + 1), 'plan');
    if (!options.some((o) => o.kind === 'allow_once')) return undefined;
    const ready = lastIndex(lines, HEAD, proceed);
    const close = lastIndex(lines, /^\s*╌{8,}/, proceed);
    const open = close > 0 ? lastIndex(lines, /^\s*╌{8,}/, close - 1) : -1;
    const from = open >= 0 ? open + 1 : ready >= 0 ? ready + 1 : 0;
    const plan = lines.slice(from, close > from ? close : proceed)
      .filter((l) => !isDashedRule(l) && !/^\s*─{8,}/.test(l) && !HEAD.test(l))
      .map((l) => l.trim()).join('\n').trim();
    return { kind: 'plan', tool: 'ExitPlanMode', detail: plan, options };
  }
  const exit = lastIndex(lines, /^\s*Exit plan mode\?$/);
  if (exit < 0) return undefined;
  const options = publicOptions(parseOptions(lines, exit + 1), 'plan');
  if (options.length < 2) return undefined;
  const said = lines.slice(exit + 1).find((l) => l.trim() && !/^\s*(❯\s*)?\d+\./.test(l))?.trim() ?? '';
  return { kind: 'plan', tool: 'ExitPlanMode', detail: said, options };
}
