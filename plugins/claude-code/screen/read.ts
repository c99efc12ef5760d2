import type { PendingPermission, PendingQuestion, SessionState } from '../../sessions/index.js';
import { parsePlanApproval } from './parse-plan.js';
import { parseQuestion } from './parse-question.js';
import { parseStartupGate, parseToolPermission, parseTrust } from './parse-permission.js';
import { parseTurnStatus } from './parse-status.js';
import { findInputBox, lastIndex, normalizeLines, type InputBox } from './text.js';

/** Which dialog is open, when one is. */
export type DialogKind = 'permission' | 'trust' | 'plan' | 'question' | 'rate-limit';

/** Everything the screen says, in one pure reading. */
export interface ScreenRead {
  /** The state the screen shows; undefined when it shows nothing recognisable (mid-redraw). */
  state?: SessionState;
  /** `screen:<what>`, e.g. `screen:permission`, `screen:spinner`, `screen:done`. */
  cause: string;
  dialog?: DialogKind;
  pendingPermission?: PendingPermission;
  pendingQuestion?: PendingQuestion;
  /** For answering a question with text: the `Type something.` option. */
  typeOption?: number;
  /** The option the `❯` cursor is on (questions, unnumbered menus). */
  selected?: number;
  /** The menu has no numbers: options are picked with arrows from `selected`, then Enter. */
  unnumbered?: boolean;
  /** The input box, when visible (idle or working). */
  box?: InputBox;
  /** The last turn visibly ended (done line or "Interrupted"), so idle needs no confirmation. */
  ended?: boolean;
  /** The normalised lines this was read from. */
  lines: string[];
}

const RATE_LIMIT_MENU = /(You.ve hit your (usage )?limit|usage limit reached|rate limit reached)/i;

function dialog(lines: string[]): ScreenRead | undefined {
  const found = parseTrust(lines);
  if (found?.unnumbered) {
    const { unnumbered, ...trust } = found;
    const selected = unnumbered.find((o) => o.selected)?.number;
    return { state: 'permission_prompt', cause: 'screen:trust', dialog: 'trust', pendingPermission: trust, selected, unnumbered: true, lines };
  }
  const trust = found ?? parseStartupGate(lines);
  if (trust) return { state: 'permission_prompt', cause: `screen:${trust.tool === 'trust' ? 'trust' : trust.tool}`, dialog: 'trust', pendingPermission: trust, lines };
  const plan = parsePlanApproval(lines);
  if (plan) return { state: 'plan_mode', cause: 'screen:plan', dialog: 'plan', pendingPermission: plan, lines };
  const question = parseQuestion(lines);
  if (question) {
    return { state: 'ask_question', cause: 'screen:question', dialog: 'question', pendingQuestion: question.question, typeOption: question.typeOption, selected: question.selected, lines };
  }
  const tool = parseToolPermission(lines);
  if (tool) return { state: 'permission_prompt', cause: 'screen:permission', dialog: 'permission', pendingPermission: tool, lines };
  if (lastIndex(lines, RATE_LIMIT_MENU) >= 0 && lastIndex(lines, /^\s*(❯\s*)?\d+\./) >= 0) {
    return { state: 'rate_limit', cause: 'screen:rate-limit-menu', dialog: 'rate-limit', lines };
  }
  return undefined;
}

/**
 * Reads the CLI's state from its screen: exit banner, then dialogs (which replace the input box),
 * then the input box with the turn status above it. Pure: the same lines always give the same
 * reading, so every fixture in `fixtures/` pins one expected state.
 */
export function readScreen(raw: readonly string[]): ScreenRead {
  const lines = normalizeLines(raw);
  if (lastIndex(lines, /^Resume this session with:$/) >= 0 && lastIndex(lines, /^claude --resume \S+/) >= 0) {
    return { state: 'exited', cause: 'screen:exited', lines };
  }
  const box = findInputBox(lines);
  if (!box) {
    const open = dialog(lines);
    if (open) return open;
    if (lastIndex(lines, /^ ?(Let's get started\.|Choose the text style)/) >= 0) return { state: 'starting', cause: 'screen:onboarding', lines };
    return { cause: 'screen:unknown', lines };
  }
  const turn = parseTurnStatus(lines, box);
  return { state: turn.state, cause: `screen:${turn.why}`, box, ended: turn.ended, lines };
}

/** True when the screen takes typed input now: the box is there and no turn is running. */
export function acceptsInput(read: ScreenRead): boolean {
  return read.box !== undefined && (read.state === 'idle' || read.state === 'error' || read.state === 'rate_limit');
}
