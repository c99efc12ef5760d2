import type { RequestPermissionRequest, RequestPermissionResponse, SessionNotification, SessionUpdate } from '@agentclientprotocol/sdk';
import { readTextFile, writeTextFile, type FsLimits } from './fs.js';
import { RPC, RpcError, type JsonRpcPeer } from './jsonrpc.js';
import type { Terminals } from './terminals.js';
import type { Workspace } from './workspace.js';
import type { AgentActions } from './events.js';

/** What the client side answers with; the conversation provides it. */
export interface ClientSide {
  workspace: Workspace;
  fsLimits: FsLimits;
  /** Reports what the agent did (files written), for the audit. */
  actions?: AgentActions;
  fs: boolean;
  terminal: boolean;
  terminals: Terminals;
  update(update: SessionUpdate): void;
  permission(request: RequestPermissionRequest): Promise<RequestPermissionResponse>;
}

/**
 * Registers what an agent may ask of Aegis: its updates, permission requests, and the files and
 * terminals of the workDir. What is turned off is declined with -32601, as ACP expects for a
 * capability the client did not offer.
 */
export function serveClient(peer: JsonRpcPeer, side: ClientSide): void {
  peer.onNotification('session/update', (params) => {
    const n = params as SessionNotification;
    if (!n?.update?.sessionUpdate) throw new Error('session/update without an update');
    side.update(n.update);
  });
  peer.onRequest('session/request_permission', (params) => {
    const req = params as RequestPermissionRequest;
    if (!Array.isArray(req?.options) || !req.toolCall) throw new RpcError(RPC.invalidParams, 'options and toolCall are required');
    return side.permission(req);
  });
  const declined = (what: string) => () => { throw new RpcError(RPC.methodNotFound, `${what} is turned off in this Aegis`); };
  peer.onRequest('fs/read_text_file', side.fs ? (p) => readTextFile(side.workspace, p, side.fsLimits) : declined('fs'));
  peer.onRequest('fs/write_text_file', side.fs ? async (p) => {
    const done = await writeTextFile(side.workspace, p, side.fsLimits);
    const { path, content } = p as { path: string; content: string };
    side.actions?.fileWritten(path, Buffer.byteLength(content));
    return done;
  } : declined('fs'));
  const t = side.terminals;
  const terms: Record<string, (p: unknown) => unknown> = {
    'terminal/create': (p) => t.create(p), 'terminal/output': (p) => t.output(p), 'terminal/wait_for_exit': (p) => t.waitForExit(p),
    'terminal/kill': (p) => t.kill(p), 'terminal/release': (p) => t.release(p),
  };
  for (const [method, h] of Object.entries(terms)) peer.onRequest(method, side.terminal ? h : declined('terminal'));
}
