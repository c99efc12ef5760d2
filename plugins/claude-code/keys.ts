/**
 * The bytes Aegis writes to the CLI's terminal. Verified against Claude Code 2.1.197 (NOTES.md):
 * a digit picks a numbered option at once (no Enter), one Esc interrupts a turn or cancels a
 * dialog, and bracketed paste inserts text without submitting it.
 */

/** Submits the input box (carriage return; a line feed inserts a newline instead). */
export const ENTER = '\r';
/** Interrupts a running turn, cancels a dialog. Never sent twice in a row: two Esc on an idle box open the rewind menu. */
export const ESC = '\x1b';
/** Cursor down / up: moves through a menu drawn without numbers. */
export const DOWN = '\x1b[B';
export const UP = '\x1b[A';
/** Kills to the end of the line, then to its start: with nothing left it joins the line above, so repeating it empties the box. */
export const CLEAR_LINE = '\x0b\x15';
const PASTE_START = '\x1b[200~';
const PASTE_END = '\x1b[201~';

/**
 * Text as one bracketed paste. Line breaks become `\n` (never a CR, which would submit), and any
 * escape byte is dropped, so the text can neither end the paste early nor send keys of its own.
 */
export function paste(text: string): string {
  const clean = text.replace(/\r\n?/g, '\n').replace(/\x1b/g, '');
  return PASTE_START + clean + PASTE_END;
}

/** The key that picks option `n` of a numbered menu. */
export function digit(n: number): string {
  if (!Number.isInteger(n) || n < 1 || n > 9) throw new RangeError(`option ${n} cannot be picked with one key`);
  return String(n);
}
