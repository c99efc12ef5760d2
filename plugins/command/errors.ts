import { defineError } from '../../kernel/index.js';

/** `agent: "command"` while `plugins.command.command` is not set and the request named no allowed command. */
export const CommandNotConfigured = defineError('AEGIS_ERR_COMMAND_NOT_CONFIGURED', 'No command is configured for the command agent (plugins.command.command)', 400);
/** A command (or option) the request may not choose: only `allowedCommands` may come from the API. */
export const CommandNotAllowed = defineError('AEGIS_ERR_COMMAND_NOT_ALLOWED', 'Not allowed for the command agent: %s', 400);
