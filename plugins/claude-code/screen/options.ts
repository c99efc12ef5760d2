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

/** What picking a permission option means, from its label. */
export function optionKind(label: string): PromptOption['kind'] {
  if (/^Yes,? (and )?(don.t ask again|always allow|allow all|use auto mode)/i.test(label)) return 'allow_always';
  if (/^Yes\b/i.test(label)) return 'allow_once';
  if (/^No\b/i.test(label)) return 'reject_once';
  return 'other';
}

/** The options without the on-screen cursor flag, as the API shows them. */
export function publicOptions(options: readonly ScreenOption[], withKind = true): PromptOption[] {
  return options.map(({ selected: _selected, ...o }) => (withKind ? { ...o, kind: optionKind(o.label) } : o));
}
