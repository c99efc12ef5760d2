import { defineError } from '../../kernel/index.js';

/** Unknown id, or a session the caller may not see (same code, so existence never leaks). */
export const SessionNotFound = defineError('AEGIS_ERR_SESSION_NOT_FOUND', 'No session %s', 404);
/** An access policy denied this action on this session. */
export const SessionForbidden = defineError('AEGIS_ERR_SESSION_FORBIDDEN', 'Not allowed to %s session %s', 403);
/** The session has exited; it takes no more input. */
export const SessionExited = defineError('AEGIS_ERR_SESSION_EXITED', 'Session %s has exited', 409);
/** The session is being killed; it takes no more input. */
export const SessionEnding = defineError('AEGIS_ERR_SESSION_ENDING', 'Session %s is ending', 409);
/** approve/reject while no permission is pending. */
export const NothingPending = defineError('AEGIS_ERR_SESSION_NOTHING_PENDING', 'Session %s is not waiting for a permission', 409);
/** answer while no question is pending. */
export const NoQuestion = defineError('AEGIS_ERR_SESSION_NO_QUESTION', 'Session %s is not asking a question', 409);
/** approve/answer with an option number the prompt does not offer. */
export const InvalidOption = defineError('AEGIS_ERR_SESSION_INVALID_OPTION', 'Option %s is not one of the offered options', 400);
/** A workDir with a NUL byte: no such path can exist. */
export const WorkDirInvalid = defineError('AEGIS_ERR_SESSION_WORKDIR_INVALID', 'workDir must not contain a NUL byte', 400);
/** Text for the agent with a control character, a lone surrogate, or nothing but white space. */
export const TextInvalid = defineError('AEGIS_ERR_SESSION_TEXT_INVALID', 'The text may not contain %s', 400);
/** A resume id that is not of the agent's own id shape (a UUID for Claude Code). */
export const ResumeIdInvalid = defineError('AEGIS_ERR_SESSION_RESUME_ID_INVALID', 'resumeSessionId is not a conversation id %s accepts', 400);
export const WorkDirRelative = defineError('AEGIS_ERR_SESSION_WORKDIR_RELATIVE', 'workDir must be an absolute path', 400);
export const WorkDirNotFound = defineError('AEGIS_ERR_SESSION_WORKDIR_NOT_FOUND', 'workDir %s does not exist', 400);
export const WorkDirNotDirectory = defineError('AEGIS_ERR_SESSION_WORKDIR_NOT_DIRECTORY', 'workDir %s is not a directory', 400);
/** The agent user cannot write (or reach) the workDir; `details.user` names the user. */
export const WorkDirNotWritable = defineError('AEGIS_ERR_SESSION_WORKDIR_NOT_WRITABLE', 'workDir %s is not writable by the agent user %s', 400);
/** permissionMode bypassPermissions without the `bypass` permission. */
export const BypassForbidden = defineError('AEGIS_ERR_SESSION_BYPASS_FORBIDDEN', 'permissionMode bypassPermissions needs the bypass permission', 403);
/** An env name on the denylist or not on the request allowlist; the message and `details.name` name the variable. */
export const EnvDenied = defineError('AEGIS_ERR_SESSION_ENV_DENIED', 'env %s may not be set for a session', 400);
/** An env name or value that is not a valid environment entry. */
export const EnvInvalid = defineError('AEGIS_ERR_SESSION_ENV_INVALID', 'env %s is not a valid variable name or value', 400);
export const UnknownAgent = defineError('AEGIS_ERR_SESSION_UNKNOWN_AGENT', 'No agent named %s; available: %s', 400);
/** agentOptions sent to a driver that takes none. */
export const AgentOptionsUnsupported = defineError('AEGIS_ERR_SESSION_AGENT_OPTIONS_UNSUPPORTED', 'Agent %s takes no agentOptions', 400);
export const ResumeUnsupported = defineError('AEGIS_ERR_SESSION_RESUME_UNSUPPORTED', 'Agent %s cannot resume a conversation', 400);
export const SessionLimit = defineError('AEGIS_ERR_SESSION_LIMIT', 'At most %s sessions may run at once', 429);
/** The driver failed to start the agent (502: the agent failed, not this server); the record is kept as exited with the reason. */
export const StartFailed = defineError('AEGIS_ERR_SESSION_START_FAILED', 'The agent did not start: %s', 502);
export const CommandNotFound = defineError('AEGIS_ERR_SESSION_COMMAND_NOT_FOUND', 'No executable %s on PATH', 500);
export const SendTimeout = defineError('AEGIS_ERR_SESSION_SEND_TIMEOUT', 'The agent did not take the message within %s ms', 504);
/** The session has no live process to write to. */
export const NoProcess = defineError('AEGIS_ERR_SESSION_NO_PROCESS', 'Session %s has no running process', 409);
export const CursorInvalid = defineError('AEGIS_ERR_SESSION_CURSOR_INVALID', 'Unknown cursor %s', 400);
export const HookSecretMissing = defineError('AEGIS_ERR_SESSION_HOOK_SECRET_MISSING', 'The X-Aegis-Hook-Secret header is required', 401);
/** Wrong secret, or a session that does not exist (same answer for both). */
/** Too many refused hook calls from this address in the current window. */
export const HookThrottled = defineError('AEGIS_ERR_SESSION_HOOK_THROTTLED', 'Too many refused hook calls; retry in %s s', 429);
export const HookSecretInvalid = defineError('AEGIS_ERR_SESSION_HOOK_SECRET_INVALID', 'The hook secret is not valid for this session', 403);
/** The session has no recording (it never ran a PTY, or recording is off). */
export const NoRecording = defineError('AEGIS_ERR_SESSION_NO_RECORDING', 'Session %s has no recording', 404);
/** The process host could not start the agent's process (the spawner is gone or refused it). */
export const SpawnFailed = defineError('AEGIS_ERR_SESSION_SPAWN_FAILED', 'The agent process could not be started: %s', 500);
