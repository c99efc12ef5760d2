import { defineError } from '../../kernel/index.js';

/** The agent did not answer a JSON-RPC request within its timeout (`requestTimeoutMs`, `promptTimeoutMs`). */
export const AcpRequestTimeout = defineError('AEGIS_ERR_ACP_REQUEST_TIMEOUT', 'The ACP agent did not answer %s within %s ms', 504);
/** The agent process ended (or closed its stdout) while a request was waiting for its answer. */
export const AcpAgentExited = defineError('AEGIS_ERR_ACP_AGENT_EXITED', 'The ACP agent is gone: %s', 502);
/** The agent answered a request with a JSON-RPC error. `details` holds its code, message and data. */
export const AcpAgentError = defineError('AEGIS_ERR_ACP_AGENT_ERROR', 'The ACP agent answered %s with an error: %s', 502);
/** The agent speaks a protocol version this client does not. */
export const AcpProtocolVersion = defineError('AEGIS_ERR_ACP_PROTOCOL_VERSION', 'The ACP agent speaks protocol version %s; Aegis speaks %s', 502);
/** The agent program could not be started (not found, not executable). */
export const AcpSpawnFailed = defineError('AEGIS_ERR_ACP_SPAWN_FAILED', 'Could not start the ACP agent %s: %s', 500);
/** `agent: "acp"` while no command is configured for it. */
export const AcpNotConfigured = defineError('AEGIS_ERR_ACP_NOT_CONFIGURED', 'No ACP agent command is configured (plugins.acp.command or plugins.acp.agents)', 400);
/** `agentOptions.agent` names no configured ACP agent. */
export const AcpUnknownAgent = defineError('AEGIS_ERR_ACP_UNKNOWN_AGENT', 'No configured ACP agent named %s; configured: %s', 400);
/** `agentOptions` the ACP agents do not take. */
export const AcpInvalidOptions = defineError('AEGIS_ERR_ACP_INVALID_OPTIONS', 'Invalid agentOptions for an ACP agent: %s', 400);
/** `approve` without an option number while the agent offered no allow option. */
export const AcpNoAllowOption = defineError('AEGIS_ERR_ACP_NO_ALLOW_OPTION', 'The agent offered no option that allows this; pick one by number', 409);
/** The `@agentclientprotocol/claude-agent-acp` package cannot be found. */
export const AcpClaudeMissing = defineError('AEGIS_ERR_ACP_CLAUDE_MISSING', 'The claude-acp agent is not installed: %s', 500);
/** Sent to the agent (as JSON-RPC error data) for a file or terminal request outside the session's workDir. */
export const AcpPathOutside = defineError('AEGIS_ERR_ACP_PATH_OUTSIDE_WORKDIR', 'Path %s is outside the session workDir', 403);
/** Sent to the agent for a file or terminal request the client does not serve or cannot fulfil. */
export const AcpRequestDeclined = defineError('AEGIS_ERR_ACP_REQUEST_DECLINED', 'Declined %s: %s', 400);
