import type { PromptOption } from '../../sessions/index.js';

/** A numbered choice as drawn on screen, with whether the `❯` cursor is on it. */
export interface ScreenOption extends PromptOption {
  selected: boolean;
}

const OPTION = /^\s*(❯\s*)?(\d+)\.\s+(.*)$/;

/**
 * The numbered options in `lines[from..to)`: `❯ 1. Yes`, `  2. No`. Lines under an option that are
 * indented deeper and carry no number are its description (questions draw them that way).
 */
export function parseOptions(lines: readonly string[], from = 0, to = lines.length): ScreenOption[] {
  const out: ScreenOption[] = [];
  let indent = -1;
  for (let i = from; i < to; i++) {
    const line = lines[i]!;
    const m = OPTION.exec(line);
    if (m) {
      indent = line.search(/\d/);
      out.push({ number: Number(m[2]), label: m[3]!.trim(), selected: Boolean(m[1]) });
      continue;
    }
    const last = out[out.length - 1];
    const text = line.trim();
    if (!last || !text || line.search(/\S/) <= indent - 1) continue;
    // Hints under an option (`shift+tab to approve with this feedback`) are not descriptions.
    if (/^shift\+tab|^ctrl\+/.test(text)) continue;
    last.description = last.description ? `${last.description} ${text}` : text;
  }
  return out;
}

/**
 * A menu drawn without numbers (newer releases draw the trust dialog so: ` ❯ No, exit` /
 * `   Yes, I trust this folder`): the cursor line and the lines next to it that start at the same
 * column, numbered from 1 top to bottom. Such a menu is answered with arrows and Enter.
 */
export function parseUnnumbered(lines: readonly string[], from = 0, to = lines.length): ScreenOption[] {
  let at = -1;
  for (let i = to - 1; i >= from; i--) if (/^\s*❯ \S/.test(lines[i]!)) { at = i; break; }
  if (at < 0 || OPTION.test(lines[at]!)) return [];
  const col = lines[at]!.indexOf('❯') + 2;
  const starts = (l: string) => l.length > col && l.slice(0, col).replace('❯', '').trim() === '' && l[col] !== ' ';
  let top = at;
  while (top - 1 >= from && starts(lines[top - 1]!)) top--;
  let end = at;
  while (end + 1 < to && starts(lines[end + 1]!)) end++;
  return lines.slice(top, end + 1).map((l, n) => ({ number: n + 1, label: l.slice(col).trim(), selected: top + n === at }));
}

/** Where an option is offered: a tool or start-up prompt, or the plan-approval menu. */
export type OptionContext = 'tool' | 'plan';

/** An option that changes the session's mode, and the mode it names. */
const SWITCH = /\b(switch(es)? to|use|turn on|enter) (?<mode>auto|accept edits|bypass permissions|default|manual|plan)( mode)?\b/i;
/** 2.1.197's way of saying "switch to accept edits". */
const ALL_EDITS = /\ballow all edits during this session\b/i;
/** Modes that still ask before acting: leaving plan mode for one of these is the plain approval. */
const ASKING = /^(default|manual)$/i;

/**
 * What picking an option means, read from its wording rather than its position, so a release
 * that adds or reorders options is still read right. Any option that changes the session's
 * permission mode is `mode_switch` ("Yes, and switch to auto mode", "Yes, allow all edits during
 * this session", "Yes, and use auto mode"), even when it also allows; on the plan menu, leaving
 * plan mode for a mode that keeps asking ("Yes, manually approve edits", "Yes, and switch to
 * default (ask each time)") is the plain approval, `allow_once`.
 */
export function optionKind(label: string, context: OptionContext = 'tool'): NonNullable<PromptOption['kind']> {
  const text = label.replace(/[’‘]/g, "'");
  if (/^(Type something|Tell Claude what to (change|do))/i.test(text)) return 'free_text';
  if (/^No\b/i.test(text)) return /\b(always|never|don't ask)\b/i.test(text) ? 'reject_always' : 'reject_once';
  const sw = SWITCH.exec(text);
  if (context === 'plan') {
    // The plan menu's only row that is neither yes nor no is its feedback field (it shows the typed text).
    if (!/^Yes\b/i.test(text)) return 'free_text';
    if (/manually approve/i.test(text) || !sw || ASKING.test(sw.groups!.mode!)) return 'allow_once';
    return 'mode_switch';
  }
  if (sw || ALL_EDITS.test(text)) return 'mode_switch';
  if (/^Yes\b.*\b(don't ask again|always allow)/i.test(text)) return 'allow_always';
  if (/^Yes\b/i.test(text)) return 'allow_once';
  return 'other';
}

/** The options without the on-screen cursor flag, as the API shows them. */
export function publicOptions(options: readonly ScreenOption[], withKind: OptionContext | false = 'tool'): PromptOption[] {
  return options.map(({ selected: _selected, ...o }) => (withKind ? { ...o, kind: optionKind(o.label, withKind) } : o));
}
