import { type Answer, InvalidOption, NoQuestion, NothingPending, type PendingPermission } from '../sessions/index.js';
import { ClaudeFreeTextUnsupported, ClaudeNoReaction } from './errors.js';
import { digit, ENTER, ESC, paste } from './keys.js';
import type { LiveSession } from './live.js';
import type { ScreenRead } from './screen/read.js';

/** How long a dialog may take to react to a key. */
const REACT_MS = 5000;
/** Two Esc this close on an idle box open the rewind menu; interrupt never sends a second one. */
const ESC_GAP_MS = 1500;

/** The dialog did not change: same kind, same prompt, same drawing (a multi-select toggle changes only the drawing). */
const same = (a: ScreenRead, b: ScreenRead) => a.dialog === b.dialog
  && JSON.stringify(a.pendingPermission ?? a.pendingQuestion) === JSON.stringify(b.pendingPermission ?? b.pendingQuestion)
  && a.lines.join('\n') === b.lines.join('\n');

/** Presses `key` on the open dialog and waits until the dialog changes (closes, or shows the next question). */
async function press(live: LiveSession, key: string, what: string): Promise<void> {
  const before = live.read;
  live.ctx.write(key);
  const changed = await live.until(() => (live.exit || !same(before, live.read) ? true : undefined), REACT_MS);
  if (!changed) throw new ClaudeNoReaction(what, String(REACT_MS));
}

/**
 * The least-privilege "yes": allow this once, never "don't ask again"; for a plan, "Yes, manually
 * approve edits" (it keeps asking before edits, where option 1 switches to auto mode).
 */
export function leastPrivilegeYes(p: PendingPermission): number {
  if (p.kind === 'plan') {
    const manual = p.options.find((o) => /^Yes, manually approve/i.test(o.label));
    if (manual) return manual.number;
  }
  return (p.options.find((o) => o.kind === 'allow_once') ?? p.options[0]!).number;
}

function pendingPermission(live: LiveSession): PendingPermission {
  const p = live.read.dialog === 'question' ? undefined : live.read.pendingPermission;
  if (!p) throw new NothingPending(live.ctx.record.id);
  return p;
}

/** Picks `option`, or the least-privilege yes, on the permission, trust or plan dialog on screen. */
export async function approve(live: LiveSession, option?: number): Promise<void> {
  const p = pendingPermission(live);
  const pick = option ?? leastPrivilegeYes(p);
  if (!p.options.some((o) => o.number === pick)) throw new InvalidOption(String(pick));
  await press(live, digit(pick), `option ${pick}`);
}

/**
 * Says no: the "No" option of a tool prompt (the CLI then ends the turn) or of the trust dialog
 * (the CLI exits); Esc on the plan menu (rejected, the turn ends, plan mode stays).
 */
export async function reject(live: LiveSession): Promise<void> {
  const p = pendingPermission(live);
  const no = p.options.find((o) => o.kind === 'reject_once');
  if (p.kind === 'plan' && !no) return press(live, ESC, 'Esc');
  await press(live, no ? digit(no.number) : ESC, no ? `option ${no.number}` : 'Esc');
}

/** Answers the question on screen: an option's digit, or "Type something.", the text, Enter. */
export async function answer(live: LiveSession, a: Answer): Promise<void> {
  const q = live.read.pendingQuestion;
  if (!q || live.read.dialog !== 'question') throw new NoQuestion(live.ctx.record.id);
  if ('option' in a) {
    if (!q.options.some((o) => o.number === a.option)) throw new InvalidOption(String(a.option));
    return press(live, digit(a.option), `option ${a.option}`);
  }
  const typeOption = live.read.typeOption;
  if (typeOption === undefined) throw new ClaudeFreeTextUnsupported();
  // The row turns into a text field only once it is selected; a paste before that is lost.
  live.ctx.write(digit(typeOption));
  const field = await live.until(() => (live.read.selected === typeOption ? true : undefined), REACT_MS);
  if (!field) throw new ClaudeNoReaction(`option ${typeOption}`, String(REACT_MS));
  live.ctx.write(paste(a.text));
  const first = a.text.trim().split('\n')[0]!.slice(0, 20);
  const typed = await live.until(() => (live.read.lines.some((l) => l.includes(`${typeOption}. ${first}`)) ? true : undefined), REACT_MS);
  if (!typed) throw new ClaudeNoReaction('the typed answer', String(REACT_MS));
  await press(live, ENTER, 'Enter');
}

/** One Esc while a turn runs (spinner on screen or a hooked turn); nothing otherwise. */
export async function interrupt(live: LiveSession): Promise<void> {
  const busy = (s?: string) => s === 'working' || s === 'compacting';
  if (!busy(live.read.state) && !busy(live.ctx.state().state)) return;
  if (Date.now() - live.lastEscAt < ESC_GAP_MS) return;
  live.lastEscAt = Date.now();
  live.ctx.write(ESC);
  await live.until(() => (live.exit || !busy(live.read.state) ? true : undefined), REACT_MS);
}

/** Esc, as a user would press it. */
export function escape(live: LiveSession): void {
  live.lastEscAt = Date.now();
  live.ctx.write(ESC);
}
