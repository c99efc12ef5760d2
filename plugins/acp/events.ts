import type { EventBus } from '../../kernel/index.js';
import type { SessionRecord } from '../sessions/index.js';

declare module '../../kernel/events.js' {
  interface AegisEvents {
    /** An ACP agent wrote a file through `fs/write_text_file` (path inside the workDir, size). */
    'acp.file-written': { sessionId: string; tenantId?: string; at: string; path: string; bytes: number };
    /** An ACP agent started a command through `terminal/create` (never its environment values). */
    'acp.terminal-started': { sessionId: string; tenantId?: string; at: string; command: string; args: string[]; cwd: string };
  }
}

/** What an ACP agent did to the machine, as bus events (audited). */
export interface AgentActions {
  fileWritten(path: string, bytes: number): void;
  terminalStarted(command: string, args: string[], cwd: string): void;
}

export function agentActions(events: EventBus | undefined, record: () => Readonly<SessionRecord>): AgentActions {
  const base = () => ({ sessionId: record().id, tenantId: record().owner.tenantId, at: new Date().toISOString() });
  return {
    fileWritten: (path, bytes) => events?.emit('acp.file-written', { ...base(), path, bytes }),
    terminalStarted: (command, args, cwd) => events?.emit('acp.terminal-started', { ...base(), command, args, cwd }),
  };
}
