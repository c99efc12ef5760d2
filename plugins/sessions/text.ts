import { TextInvalid } from './errors.js';

/** C0 controls but tab and newline, DEL, and C1 controls (0x9b is a CSI introducer in some terminals). */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Checks and normalises text bound for an agent's input (a prompt, a message, a typed answer).
 * Text reaches a terminal: an ESC could end a bracketed paste and type keys of its own, a NUL or a
 * lone surrogate leaves the input box in a state the next message merges with. Such text is
 * refused (400 naming the first bad character); CR and CRLF become LF, leading blank lines go.
 */
export function agentText(text: string): string {
  if (LONE_SURROGATE.test(text)) throw new TextInvalid('a lone surrogate');
  const normal = text.replace(/\r\n?/g, '\n');
  const bad = CONTROL.exec(normal);
  if (bad) throw new TextInvalid(`U+${bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`);
  const trimmed = normal.replace(/^\s*\n/, '');
  if (trimmed.trim() === '') throw new TextInvalid('only white space');
  return trimmed;
}
