import type {
  AgentCapabilities, InitializeResponse, NewSessionResponse, SessionModeState,
} from '@agentclientprotocol/sdk';
import type { SessionContext } from '../sessions/index.js';
import { AcpProtocolVersion } from './errors.js';
import type { JsonRpcPeer } from './jsonrpc.js';

/**
 * The ACP version Aegis speaks. Kept here rather than imported from the SDK: its entry point loads
 * the whole zod schema set (megabytes of heap in an idle server) for this one number. A test holds
 * it equal to the SDK's `PROTOCOL_VERSION`.
 */
export const PROTOCOL_VERSION = 1;

/** What Aegis offers agents: files and terminals inside the workDir, when enabled. */
export interface ClientOffer {
  fs: boolean;
  terminal: boolean;
}

/** `initialize`: agrees on the protocol version and learns what the agent can do. */
export async function initialize(peer: JsonRpcPeer, offer: ClientOffer, timeoutMs: number): Promise<AgentCapabilities> {
  const res = await peer.request<InitializeResponse>('initialize', {
    protocolVersion: PROTOCOL_VERSION,
    clientCapabilities: { fs: { readTextFile: offer.fs, writeTextFile: offer.fs }, terminal: offer.terminal },
    clientInfo: { name: 'aegis', title: 'Aegis', version: '1' },
  }, timeoutMs);
  if (res?.protocolVersion !== PROTOCOL_VERSION) throw new AcpProtocolVersion(String(res?.protocolVersion), String(PROTOCOL_VERSION));
  return res.agentCapabilities ?? {};
}

/** How the agent's conversation was opened. */
export interface OpenedSession {
  sessionId: string;
  /** `new`, or how an earlier conversation came back. */
  how: 'new' | 'resume' | 'load';
  modes?: SessionModeState | null;
}

/**
 * Opens the agent's conversation for this session. With `resume` and a known agent session id it
 * is brought back: `session/resume` when the agent offers it (no replay), else `session/load`
 * (whose replayed history `replaying` tells the caller to ignore, as our transcript already has
 * it). An agent that can do neither gets a new conversation, and the transcript says so.
 */
export async function openSession(
  peer: JsonRpcPeer, caps: AgentCapabilities, ctx: SessionContext, resume: boolean, timeoutMs: number,
  replaying: (on: boolean) => void,
): Promise<OpenedSession> {
  const cwd = ctx.record.workDir;
  const known = ctx.record.agentSessionId;
  if (resume && known) {
    if (caps.sessionCapabilities?.resume) {
      const res = await peer.request<Partial<NewSessionResponse>>('session/resume', { sessionId: known, cwd, mcpServers: [] }, timeoutMs);
      return { sessionId: known, how: 'resume', modes: res?.modes };
    }
    if (caps.loadSession) {
      replaying(true);
      try {
        const res = await peer.request<Partial<NewSessionResponse>>('session/load', { sessionId: known, cwd, mcpServers: [] }, timeoutMs);
        return { sessionId: known, how: 'load', modes: res?.modes };
      } finally {
        replaying(false);
      }
    }
    ctx.log.warn({ agentSessionId: known }, 'ACP agent can neither resume nor load a session; starting a new conversation');
    ctx.appendTranscript([{ role: 'system', text: 'The agent cannot resume its conversation; a new one was started.' }]);
  }
  const res = await peer.request<NewSessionResponse>('session/new', { cwd, mcpServers: [] }, timeoutMs);
  if (typeof res?.sessionId !== 'string' || !res.sessionId) throw new Error('session/new answered without a sessionId');
  await ctx.update({ agentSessionId: res.sessionId });
  return { sessionId: res.sessionId, how: 'new', modes: res.modes };
}

/**
 * Puts the agent in the session's permission mode when it offers a mode of that id (Claude's ACP
 * agent does: default, acceptEdits, plan, dontAsk, bypassPermissions). Best effort: an agent
 * without modes keeps its own.
 */
export async function applyMode(peer: JsonRpcPeer, ctx: SessionContext, opened: OpenedSession, timeoutMs: number): Promise<void> {
  const want = ctx.record.permissionMode;
  const modes = opened.modes;
  if (!modes || modes.currentModeId === want || !modes.availableModes.some((m) => m.id === want)) return;
  try {
    await peer.request('session/set_mode', { sessionId: opened.sessionId, modeId: want }, timeoutMs);
  } catch (err) {
    ctx.log.warn({ err, mode: want }, 'ACP agent refused the permission mode; it keeps its own');
  }
}
