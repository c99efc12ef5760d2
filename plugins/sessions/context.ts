import type { Logger } from 'pino';
import type { PtyHandle, SessionContext } from './driver.js';
import type {
  PersistedMetrics, PtySpec, ScreenSnapshot, SessionRecord, StateReport, TranscriptEntry,
} from './types.js';
import { addUsage } from './metrics.js';
import { terminateGroup } from './process-group.js';

/** What a context needs from its session; the Session class is one, tests may pass another. */
export interface ContextHost {
  readonly record: SessionRecord;
  readonly log: Logger;
  readonly sessionDir: string;
  readonly hookSecret: string;
  readonly killGraceMs: number;
  readonly current: StateReport;
  readonly metrics: PersistedMetrics;
  spawn(spec: PtySpec): PtyHandle;
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
