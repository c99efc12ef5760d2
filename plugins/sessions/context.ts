import type { Logger } from 'pino';
import type { PtyHandle, SessionContext } from './driver.js';
import type { AgentIdentity } from './agent-user.js';
import type {
  PersistedMetrics, PtySpec, ScreenSnapshot, SessionRecord, StateReport, TranscriptEntry,
} from './types.js';
import { addUsage } from './metrics.js';
import { agentEnv } from './env.js';
import { writeOwnedFile } from './agent-runtime.js';
import { terminateGroup } from './process-group.js';

/** Who this session's agent runs as, set before each start. */
export interface SessionAgent {
  /** Undefined: the server's own user. */
  identity?: AgentIdentity;
  /** The per-session folder the agent user can read; undefined without an agent user. */
  dir?: string;
  /** Server env names passed on to this agent besides the base list (`agentEnv.pass`). */
  pass: readonly string[];
  /** Wraps a command so it runs as the agent user. */
  command(file: string, args: readonly string[]): { command: string; args: string[] };
}

/** What a context needs from its session; the Session class is one, tests may pass another. */
export interface ContextHost {
  readonly record: SessionRecord;
  readonly log: Logger;
  readonly sessionDir: string;
  readonly hookSecret: string;
  readonly killGraceMs: number;
  readonly current: StateReport;
  readonly metrics: PersistedMetrics;
  spawn(spec: PtySpec): Promise<PtyHandle>;
  adopt(pid: number): void;
  processEnded(code: number | null, signal: string | null): void;
  trackGroup(pgid: number): void;
  releaseGroup(pgid: number): void;
  screen(): ScreenSnapshot;
  nextRender(timeoutMs: number): Promise<boolean>;
  write(data: string): void;
  report(report: StateReport): void;
  update(patch: Partial<Pick<SessionRecord, 'agentSessionId' | 'driver'>>): Promise<void>;
  appendTranscript(entries: Array<Omit<TranscriptEntry, 'id' | 'index'> & { id?: string }>): void;
  save(): Promise<void>;
  /** Who the agent runs as, for the agent-facing members. */
  readonly agent: SessionAgent;
}

/**
 * Builds the SessionContext a driver gets for one session: a narrow window onto the runtime. The
 * record is the live object (read-only by type), so drivers always see current fields.
 */
export function createContext(s: ContextHost, hookBase: () => string): SessionContext {
  return {
    get record() { return s.record; },
    log: s.log,
    sessionDir: s.sessionDir,
    get agentUser() { return s.agent.identity; },
    get agentDir() { return s.agent.dir ?? s.sessionDir; },
    writeAgentFile: (name, data) => writeOwnedFile(s.agent.dir ?? s.sessionDir, name, data, s.agent.identity),
    agentEnv: (pass, ...layers) => {
      const id = s.agent.identity;
      const identity = id ? { home: id.home ?? s.agent.dir ?? s.sessionDir, user: id.user, shell: id.shell } : undefined;
      return agentEnv({ pass: [...pass, ...s.agent.pass], identity }, ...layers);
    },
    agentCommand: (file, args) => s.agent.command(file, args),
    // Read lazily: the listening port is only known once the server listens.
    get hookUrl() { return `${hookBase()}/${s.record.id}`; },
    hookSecret: s.hookSecret,
    killGraceMs: s.killGraceMs,
    spawnPty: (spec) => s.spawn(spec),
    adoptProcess: (pid) => s.adopt(pid),
    processExited: (code, signal) => s.processEnded(code, signal),
    terminateProcessGroup: (pid, exited, graceMs = s.killGraceMs) => terminateGroup(pid, graceMs, exited),
    trackGroup: (pgid) => s.trackGroup(pgid),
    releaseGroup: (pgid) => s.releaseGroup(pgid),
    screen: () => s.screen(),
    nextRender: (timeoutMs) => s.nextRender(timeoutMs),
    write: (data) => s.write(data),
    report: (report) => s.report(report),
    state: () => ({ ...s.current }),
    update: (patch) => s.update(patch),
    appendTranscript: (entries) => { s.appendTranscript(entries); },
    addUsage: (usage) => {
      addUsage(s.metrics, usage);
      void s.save();
    },
    countToolCall: (name) => {
      s.metrics.toolCalls[name] = (s.metrics.toolCalls[name] ?? 0) + 1;
      void s.save();
    },
  };
}
