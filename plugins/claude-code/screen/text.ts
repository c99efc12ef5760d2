/**
 * Line helpers shared by the screen parsers. Every parser takes the visible lines of the terminal
 * (top to bottom, as `ScreenSnapshot.lines`) and never the raw byte stream: the CLI redraws its
 * bottom region in place, so only the rendered viewport says what is on screen now.
 */

/** The viewport with non-breaking spaces made plain (the CLI draws `❯\u00a0`) and right-trimmed. */
export function normalizeLines(lines: readonly string[]): string[] {
  return lines.map((l) => l.replace(/\u00a0/g, ' ').trimEnd());
}

/** A full-width rule (U+2500), possibly carrying a session name: `──── Test session ──`. */
export function isRule(line: string): boolean {
  return /^─{8,}/.test(line) && /─$/.test(line);
}

/** The dashed rule (U+254C) the CLI draws around diffs and plans. */
export function isDashedRule(line: string): boolean {
  return /^\s*╌{8,}\s*$/.test(line);
}

/** The prompt input box: the two rules around the `❯` line(s) and the footer below. */
export interface InputBox {
  /** Index of the top rule. */
  top: number;
  /** Index of the bottom rule. */
  bottom: number;
  /** What is typed in the box, lines joined with `\n` (the `❯ ` and continuation indent removed). */
  text: string;
  /** The non-empty lines under the box (mode, hints, `esc to interrupt`). */
  footer: string[];
}

/**
 * Finds the input box, searching from the bottom. Present while the CLI is idle or working,
 * absent while a dialog (permission, question, plan, trust) replaces it.
 */
export function findInputBox(lines: readonly string[]): InputBox | undefined {
  for (let bottom = lines.length - 1; bottom >= 2; bottom--) {
    if (!isRule(lines[bottom]!)) continue;
    // Input lines: the first starts with `❯`, continuations with two spaces.
    let i = bottom - 1;
    while (i > 0 && lines[i]!.startsWith('  ') && !lines[i]!.startsWith('  ❯')) i--;
    if (!lines[i]!.startsWith('❯') || i < 1 || !isRule(lines[i - 1]!)) continue;
    const input = lines.slice(i, bottom).map((l, n) => (n === 0 ? l.replace(/^❯ ?/, '') : l.replace(/^ {2}/, '')));
    const footer = lines.slice(bottom + 1).filter((l) => l.trim() !== '');
    return { top: i - 1, bottom, text: input.join('\n').trim(), footer };
  }
  return undefined;
}

/** Index of the last line matching `re` at or above `from` (and at or below `to`), or -1. */
export function lastIndex(lines: readonly string[], re: RegExp, from = lines.length - 1, to = 0): number {
  for (let i = from; i >= to; i--) if (re.test(lines[i]!)) return i;
  return -1;
}

/** Collapses whitespace so text typed or pasted can be compared with what the box shows. */
export function squash(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
