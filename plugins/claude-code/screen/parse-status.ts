import type { InputBox } from './text.js';

/** What the lines above the input box say about the turn. */
export interface TurnStatus {
  state: 'working' | 'compacting' | 'idle' | 'error' | 'rate_limit';
  /** Why: `spinner`, `esc-to-interrupt`, `api-retry`, `api-error`, `done`, `interrupted`, `box`. */
  why: string;
  /** The turn visibly ended (`✻ Worked for 3s` or `Interrupted · What should Claude do instead?`). */
  ended: boolean;
  /** The API error line, for `error` and `rate_limit`. */
  message?: string;
}

/**
 * The working spinner: a glyph of `· ✢ * ✶ ✻ ✽`, a verb and `…`, then maybe `(5s · ↓ 11 tokens)`.
 * `✻ Worked for 6s` (no ellipsis) is the end-of-turn line, not a spinner.
 */
const SPINNER = /^[·✢*✶✻✽] \S[^…]{0,60}…/;
const RETRYING = /^[·✢*✶✻✽] API error · Retrying/;
const DONE = /^✻ \S+ for \d+[smh]/;
const INTERRUPTED = /Interrupted · What should Claude do instead\?/;
const API_ERROR = /^● API Error/;
const KEY_ERROR = /^\s+⎿\s+(Invalid API key|API Error)/;
const RATE = /\(429\)|rate.?limit|usage limit/i;

/** How far above the box a spinner can sit (tips, queued messages and a running tool go between). */
const SPINNER_REACH = 16;

/**
 * Reads the turn from the lines above the input box. Working: a spinner line, or `esc to interrupt`
 * in the footer (absent while the box holds text, so the spinner is the main sign). Otherwise the
 * last item above the box decides: an `API Error` (a 429 or rate limit makes it `rate_limit`),
 * else idle.
 */
export function parseTurnStatus(lines: readonly string[], box: InputBox): TurnStatus {
  for (let i = box.top - 1; i >= Math.max(0, box.top - SPINNER_REACH); i--) {
    const line = lines[i]!;
    if (DONE.test(line) || /^❯ /.test(line)) break;
    if (RETRYING.test(line)) return { state: 'working', why: 'api-retry', ended: false };
    if (SPINNER.test(line)) return { state: /Compacting/i.test(line) ? 'compacting' : 'working', why: 'spinner', ended: false };
  }
  if (box.footer.some((l) => /esc to interrupt/.test(l))) return { state: 'working', why: 'esc-to-interrupt', ended: false };
  let i = box.top - 1;
  while (i >= 0 && lines[i]!.trim() === '') i--;
  let ended = false;
  if (i >= 0 && DONE.test(lines[i]!)) {
    ended = true;
    i--;
    while (i >= 0 && lines[i]!.trim() === '') i--;
  }
  // Walk up over continuation lines to the head of the last item (`● ...` or `  ⎿ ...`).
  while (i > 0 && /^ {2}/.test(lines[i]!) && !/^\s+⎿/.test(lines[i]!)) i--;
  const head = i >= 0 ? lines[i]! : '';
  if (INTERRUPTED.test(head)) return { state: 'idle', why: 'interrupted', ended: true };
  if (API_ERROR.test(head) || KEY_ERROR.test(head)) {
    const message = head.replace(/^[●\s⎿]+/, '').trim();
    return { state: RATE.test(message) ? 'rate_limit' : 'error', why: 'api-error', ended: true, message };
  }
  return { state: 'idle', why: ended ? 'done' : 'box', ended };
}
