import { type Answer, InvalidOption, NoQuestion, NothingPending, type PendingPermission } from '../sessions/index.js';
import { ClaudeFreeTextUnsupported, ClaudeModeSwitchRefused, ClaudeNoPlainApproval, ClaudeNoReaction } from './errors.js';
import { digit, DOWN, ENTER, ESC, paste, UP } from './keys.js';
import type { LiveSession } from './live.js';
import type { ScreenRead } from './screen/read.js';

/** How long a dialog may take to react to a key. */
const REACT_MS = 5000;
/** Two Esc this close on an idle box open the rewind menu; interrupt never sends a second one. */
const ESC_GAP_MS = 1500;

/** How long one key press may go unanswered before it counts as dropped. */
const DROPPED_MS = 1500;

/** The lines that show a dialog's choices: options, the cursor, check boxes, question tabs. */
const CHOICE = /^\s*(❯|\d+\.)|\[[ ✔✓x]\]|[☐☒]/;
const choices = (r: ScreenRead) => r.lines.filter((l) => CHOICE.test(l)).join('\n');

/**
 * The dialog did not change: same kind, same prompt, same choices drawn (a multi-select toggle
 * changes only the drawing). Only the choice lines count: the banner above animates on its own.
 */
const same = (a: ScreenRead, b: ScreenRead) => a.dialog === b.dialog
  && JSON.stringify(a.pendingPermission ?? a.pendingQuestion) === JSON.stringify(b.pendingPermission ?? b.pendingQuestion)
  && choices(a) === choices(b);

/**
 * Presses `key` on the open dialog and waits until the dialog changes (closes, or shows the next
 * question). Newer releases drop keys that arrive just after a dialog is drawn, so a key the
 * dialog did not answer at all is pressed again (it had no effect, so pressing again is safe).
 */
async function press(live: LiveSession, key: string, what: string): Promise<void> {
  const before = live.read;
  await pressUntil(live, key, () => live.exit !== undefined || !same(before, live.read), what);
}

/** The dialog's prompt as the parsers read it; another prompt (or none) means the pick landed. */
const promptOf = (r: ScreenRead) => `${r.dialog ?? ''}|${JSON.stringify(r.pendingPermission ?? r.pendingQuestion ?? null)}`;
/** The cursor mark stands on option `n`. */
const cursorOn = (r: ScreenRead, n: number) => r.lines.some((l) => new RegExp(`^\\s*❯\\s*${n}\\.`).test(l));

/**
 * Picks option `n` of a numbered menu with its digit. A digit normally picks at once; under load a
 * newer release was seen to only move the cursor to `n` and stay there. So when the menu is still
 * the same prompt a moment later with the cursor on `n`, Enter confirms exactly that option (the
 * wait makes sure a slow pick has not already closed the menu: Enter must never reach the next one).
 */
async function pickDigit(live: LiveSession, n: number, what: string, multiSelect = false): Promise<void> {
  const before = promptOf(live.read);
  const gone = () => live.exit !== undefined || promptOf(live.read) !== before;
  await press(live, digit(n), what);
  if (gone() || multiSelect) return;
  if (await live.until(() => (gone() ? true : undefined), DROPPED_MS)) return;
  if (!cursorOn(live.read, n)) return;
  live.ctx.log.info({ option: n }, 'the digit moved the cursor without picking; confirming with Enter');
  await pressUntil(live, ENTER, gone, `Enter on option ${n}`);
}

/** Presses `key` until `done` holds, again only while the dialog shows no reaction at all. */
async function pressUntil(live: LiveSession, key: string, done: () => boolean, what: string): Promise<void> {
  const before = live.read;
  const end = Date.now() + REACT_MS;
  while (Date.now() < end) {
    live.ctx.write(key);
    const changed = await live.until(() => (done() || !same(before, live.read) ? true : undefined), Math.min(DROPPED_MS, end - Date.now()));
    if (changed && done()) return;
    // It reacted in some other way; wait out the rest of the time for `done` without pressing again.
    if (changed) {
      if (await live.until(() => (done() ? true : undefined), Math.max(0, end - Date.now()))) return;
      break;
    }
  }
  throw new ClaudeNoReaction(what, String(REACT_MS));
}

/**
 * The least-privilege "yes": the option that allows this once, never "don't ask again" and never
 * one that changes the session's mode ("Yes, and switch to auto mode"). On the plan menu that is
 * leaving plan mode for a mode that keeps asking ("Yes, manually approve edits", "Yes, and switch
 * to default"), which the classifier marks `allow_once` there. Undefined when no option is that.
 */
export function leastPrivilegeYes(p: PendingPermission): number | undefined {
  return p.options.find((o) => o.kind === 'allow_once')?.number;
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
  if (pick === undefined) throw new ClaudeNoPlainApproval(p.options.map((o) => `${o.number}. ${o.label}`).join(' / '));
  const chosen = p.options.find((o) => o.number === pick);
  if (!chosen) throw new InvalidOption(String(pick));
  // A mode change would leave the session's recorded permission mode untrue; the mode is set at create.
  if (chosen.kind === 'mode_switch') throw new ClaudeModeSwitchRefused(String(pick));
  if (live.read.unnumbered) return pickByArrows(live, pick);
  await pickDigit(live, pick, `option ${pick}`);
}

/**
 * Moves the cursor of an unnumbered menu to option `n` (arrows), then confirms with Enter. A newer
 * release was seen to draw such a menu afresh (cursor back on its first option) just as keys
 * arrived, so the pick counts only once the menu is gone; a menu still there with the cursor moved
 * away gets the arrows again. Enter is only ever pressed with the cursor seen on `n`.
 */
async function pickByArrows(live: LiveSession, n: number): Promise<void> {
  const before = promptOf(live.read);
  const gone = () => live.exit !== undefined || promptOf(live.read) !== before;
  for (let attempt = 0; attempt < 3; attempt++) {
    const from = live.read.selected ?? 1;
    if (n !== from) {
      await pressUntil(live, (n > from ? DOWN : UP).repeat(Math.abs(n - from)), () => gone() || live.read.selected === n, `the arrows to option ${n}`);
    }
    if (gone()) return;
    await pressUntil(live, ENTER, () => gone() || live.read.selected !== n, `Enter on option ${n}`);
    if (gone()) return;
    live.ctx.log.info({ option: n, selected: live.read.selected }, 'the menu was drawn again with the cursor elsewhere; moving it back');
  }
  throw new ClaudeNoReaction(`Enter on option ${n}`, String(REACT_MS));
}

/**
 * Says no: the "No" option of a tool prompt (the CLI then ends the turn) or of the trust dialog
 * (the CLI exits); Esc on the plan menu (rejected, the turn ends, plan mode stays).
 */
export async function reject(live: LiveSession): Promise<void> {
  const p = pendingPermission(live);
  const no = p.options.find((o) => o.kind === 'reject_once');
  if (p.kind === 'plan' && !no) return press(live, ESC, 'Esc');
  if (no && live.read.unnumbered) return pickByArrows(live, no.number);
  if (no) return pickDigit(live, no.number, `option ${no.number}`);
  await press(live, ESC, 'Esc');
}

/** Answers the question on screen: an option's digit, or "Type something.", the text, Enter. */
export async function answer(live: LiveSession, a: Answer): Promise<void> {
  const q = live.read.pendingQuestion;
  if (!q || live.read.dialog !== 'question') throw new NoQuestion(live.ctx.record.id);
  if ('option' in a) {
    if (!q.options.some((o) => o.number === a.option)) throw new InvalidOption(String(a.option));
    return pickDigit(live, a.option, `option ${a.option}`, q.multiSelect === true);
  }
  const typeOption = live.read.typeOption;
  if (typeOption === undefined) throw new ClaudeFreeTextUnsupported();
  // The row turns into a text field only once it is selected; a paste before that is lost.
  await pressUntil(live, digit(typeOption), () => live.read.selected === typeOption, `option ${typeOption}`);
  const first = a.text.trim().split('\n')[0]!.slice(0, 20);
  const shows = () => (live.read.lines.some((l) => l.includes(`${typeOption}. ${first}`)) ? true : undefined);
  // The field drops input that arrives just as it opens (2.1.332); a paste is sent again only while
  // the row still shows its empty placeholder, so a slow one can never land twice.
  const empty = () => live.read.lines.some((l) => new RegExp(`^\\s*❯?\\s*${typeOption}\\.\\s+Type something`).test(l));
  const end = Date.now() + REACT_MS;
  let typed: true | undefined;
  do {
    live.ctx.write(paste(a.text));
    typed = await live.until(shows, Math.max(0, Math.min(DROPPED_MS, end - Date.now())));
  } while (!typed && empty() && Date.now() < end);
  typed ??= await live.until(shows, Math.max(0, end - Date.now()));
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
