import type { PendingQuestion } from '../../sessions/index.js';
import { parseOptions, publicOptions, type ScreenOption } from './options.js';
import { lastIndex } from './text.js';

/** A question on screen, with what answering it needs beyond the API view. */
export interface ScreenQuestion {
  question: PendingQuestion;
  /** Number of the `Type something.` option (free text), when offered. */
  typeOption?: number;
  /** The option the cursor is on. */
  selected?: number;
}

const TYPE = /^(\[.\]\s*)?Type something\.?$/;
const CHAT = /^Chat about this$/;
const BOX = /^\[[ ✔✓x]\]\s*/;

/** The first non-empty line below `at` that is not an option. */
function textBelow(lines: readonly string[], at: number): string {
  for (let i = at + 1; i < lines.length; i++) {
    const l = lines[i]!.trim();
    if (l && !/^(❯\s*)?\d+\./.test(l)) return l;
  }
  return '';
}

/**
 * Splits the real answers from the two extra rows: `Type something.` (free text; once typed into,
 * its label is the typed text, so it is found as the row just above `Chat about this`) and
 * `Chat about this`.
 */
function view(options: ScreenOption[]): { shown: ScreenOption[]; typeOption?: number } {
  const chat = options.find((o) => CHAT.test(o.label));
  const typeOption = chat ? chat.number - 1 : options.find((o) => TYPE.test(o.label))?.number;
  const shown = options.filter((o) => (typeOption === undefined || o.number < typeOption) && !CHAT.test(o.label));
  return { shown, typeOption };
}

/**
 * An AskUserQuestion dialog (`ask-question*.txt`): ` ☐ <header>` (one question) or a tab bar
 * `←  ☐ A  ☐ B  ✔ Submit  →`, the question, numbered options with descriptions,
 * `N. Type something.`, a rule, `N+1. Chat about this`, and `Enter to select`. The review tab of
 * several questions (`Review your answers` / `1. Submit answers`) is a question too. The options
 * listed are the real answers; free text goes through `typeOption`.
 */
export function parseQuestion(lines: readonly string[]): ScreenQuestion | undefined {
  const footer = lastIndex(lines, /^Enter to select · /);
  // The review tab: `Ready to submit your answers?` (older) or only `Review your answers` above the options.
  const review = Math.max(lastIndex(lines, /^Ready to submit your answers\?$/), lastIndex(lines, /^Review your answers$/));
  if (review >= 0) {
    const options = parseOptions(lines, review + 1);
    if (!options.some((o) => /^Submit answers$/.test(o.label))) return undefined;
    return {
      question: { question: 'Ready to submit your answers?', header: 'Submit', options: publicOptions(options, false) },
      selected: options.find((o) => o.selected)?.number,
    };
  }
  if (footer < 0) return undefined;
  const head = lastIndex(lines, /^(\s*☐|\s*☒|←\s)/, footer);
  if (head < 0) return undefined;
  const options = parseOptions(lines, head + 1, footer);
  const { shown, typeOption } = view(options);
  if (shown.length === 0) return undefined;
  const multiSelect = shown.some((o) => BOX.test(o.label));
  const single = /^\s*[☐☒]\s+(.+)$/.exec(lines[head]!);
  const question: PendingQuestion = {
    question: textBelow(lines, head),
    ...(single ? { header: single[1]!.trim() } : {}),
    options: publicOptions(shown.map((o) => ({ ...o, label: o.label.replace(BOX, '') })), false),
    ...(multiSelect ? { multiSelect: true } : {}),
  };
  return { question, typeOption, selected: options.find((o) => o.selected)?.number };
}
