import type { SendResult } from '../sessions/index.js';
import { ClaudeBusy, ClaudeDialogOpen } from './errors.js';
import { CLEAR_LINE, ENTER, paste } from './keys.js';
import type { LiveSession } from './live.js';
import { acceptsInput, type ScreenRead } from './screen/read.js';

/** Longest wait for SessionStart after the box shows: keys typed before it are dropped. */
const START_GRACE_MS = 3000;
/** How long Enter may take to empty the box before it counts as lost. */
const ENTER_MS = 3000;
const MAX_ENTERS = 3;

const compact = (s: string) => s.replace(/\s+/g, '');

/** The box shows the pasted text (its start; a long paste shows as `[Pasted text #1 +30 lines]`). */
export function boxHolds(read: ScreenRead, text: string): boolean {
  const box = read.box?.text;
  if (!box) return false;
  if (/^\[Pasted text #\d+/.test(box)) return true;
  const want = compact(text).slice(0, 40);
  return want.length > 0 && compact(box).startsWith(want);
}

/** Signs the CLI took the message: its UserPromptSubmit hook, or the screen leaving the idle box. */
function landed(live: LiveSession, since: number, text: string): string | undefined {
  if (live.exit) return 'exit';
  const hook = live.hookSince('UserPromptSubmit', since);
  if (hook && (typeof hook.body.prompt !== 'string' || compact(hook.body.prompt) === compact(text))) return 'hook';
  const r = live.read;
  if (r.dialog || r.state === 'working' || r.state === 'compacting') return 'screen';
  return undefined;
}

/** Empties the input box (a prompt put back by an interrupt, text typed in the terminal). */
async function clearBox(live: LiveSession, left: () => number): Promise<void> {
  for (let round = 0; round < 64 && left() > 0; round++) {
    const before = live.read.box?.text ?? '';
    if (!before) return;
    live.ctx.write(CLEAR_LINE);
    const moved = await live.until(() => ((live.read.box?.text ?? '') !== before ? true : undefined), Math.min(1000, left()));
    // Nothing more to delete: what is left is a placeholder, not input.
    if (!moved) return;
  }
}

/**
 * Delivers one message: waits (bounded) until the CLI takes input, refuses while a dialog waits
 * (409), empties the box, pastes the text as one bracketed paste, waits to see it in the box,
 * submits with Enter and looks for proof it landed (UserPromptSubmit, a spinner, a dialog, or at
 * the end the transcript). Enter is pressed again only while the text provably still sits in the
 * box; the text itself is never typed twice.
 */
export async function deliver(
  live: LiveSession, text: string, budgetMs: number, inTranscript: (since: number) => Promise<boolean>,
): Promise<SendResult> {
  const deadline = Date.now() + budgetMs;
  const left = () => Math.max(0, deadline - Date.now());
  const ready = await live.until(() => {
    const r = live.read;
    if (live.exit) return 'exit';
    if (r.dialog) return 'dialog';
    return acceptsInput(r) ? 'ready' : undefined;
  }, left());
  if (ready === 'exit') return { delivered: false, attempts: 0 };
  if (ready === 'dialog') throw new ClaudeDialogOpen(live.read.dialog!);
  if (!ready) throw new ClaudeBusy(live.read.state ?? 'starting', String(budgetMs));
  if (live.opts.hooks && !live.started) {
    await live.until(() => (live.started ? true : undefined), Math.min(START_GRACE_MS, left()));
    // Waited once: a SessionStart lost (the server was not listening yet) must not slow every send.
    live.started = true;
  }

  await clearBox(live, left);
  live.ctx.write(paste(text));
  const shown = await live.until(() => (boxHolds(live.read, text) || live.read.dialog ? true : undefined), left());
  if (!shown || live.read.dialog) return { delivered: false, attempts: 0 };

  const since = Date.now();
  let attempts = 0;
  while (attempts < MAX_ENTERS && left() > 0) {
    attempts++;
    live.ctx.write(ENTER);
    const gone = await live.until(() => (landed(live, since, text) || !boxHolds(live.read, text) ? true : undefined), Math.min(ENTER_MS, left()));
    if (gone) break;
    live.enterRetries++;
  }
  // Proof: a hook or the screen, with the transcript looked at between waits (hooks off, a turn
  // so fast no spinner was drawn).
  for (;;) {
    if (await live.until(() => landed(live, since, text), Math.min(2000, left()))) return { delivered: true, attempts };
    if (await inTranscript(since - 1000)) return { delivered: true, attempts };
    if (left() <= 0) return { delivered: false, attempts };
  }
}
