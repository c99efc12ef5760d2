import { defineError } from '../../kernel/index.js';

/** No Claude Code executable: not the configured `command`, not `claude` on PATH, not the bundled one. */
export const ClaudeNotFound = defineError('AEGIS_ERR_CLAUDE_NOT_FOUND', 'No Claude Code executable found (%s)', 500);
/** The CLI did not reach its input box (or a start-up dialog) within `startupTimeoutMs`. */
export const ClaudeStartTimeout = defineError('AEGIS_ERR_CLAUDE_START_TIMEOUT', 'Claude Code did not become ready within %s ms; screen: %s', 504);
/** The CLI ended while starting (502: the agent failed, not this server); the message carries its last words. */
export const ClaudeStartExited = defineError('AEGIS_ERR_CLAUDE_START_EXITED', 'Claude Code exited while starting: %s', 502);
/** A message was sent while a dialog (permission, question, plan, trust) waits for an answer. */
export const ClaudeDialogOpen = defineError('AEGIS_ERR_CLAUDE_DIALOG_OPEN', 'Claude Code is waiting on a %s dialog; answer it first', 409);
/** A message was sent while the agent kept working past the send timeout. */
export const ClaudeBusy = defineError('AEGIS_ERR_CLAUDE_BUSY', 'Claude Code is still %s after %s ms; interrupt it or send later', 409);
/** A key was pressed on a dialog and the dialog did not change. */
export const ClaudeNoReaction = defineError('AEGIS_ERR_CLAUDE_NO_REACTION', 'Claude Code did not react to %s within %s ms', 504);
/** `answer {text}` on a question that offers no "Type something." row (e.g. the review tab). */
export const ClaudeFreeTextUnsupported = defineError('AEGIS_ERR_CLAUDE_FREE_TEXT_UNSUPPORTED', 'This question takes no typed answer; pick an option', 409);
/** `approve` named an option that would also change the session's permission mode (e.g. "switch to auto mode"). */
export const ClaudeModeSwitchRefused = defineError('AEGIS_ERR_CLAUDE_MODE_SWITCH_REFUSED', 'Option %s would change the session\'s permission mode; pick a plain approval', 409);
/** `approve` without an option on a prompt that offers no plain allow-once choice. */
export const ClaudeNoPlainApproval = defineError('AEGIS_ERR_CLAUDE_NO_PLAIN_APPROVAL', 'No option allows this once (%s); name one with {option}', 409);
