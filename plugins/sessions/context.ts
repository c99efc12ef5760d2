import type { SessionContext } from './driver.js';
import type { Session } from './session.js';
import { addUsage } from './metrics.js';

/**
 * Builds the SessionContext a driver gets for one session: a narrow window onto the runtime. The
 * record is the live object (read-only by type), so drivers always see current fields.
 */
export function createContext(s: Session, hookBase: () => string): SessionContext {
  return {
    get record() { return s.record; },
    log: s.log,
    sessionDir: s.sessionDir,
    // Read lazily: the listening port is only known once the server listens.
    get hookUrl() { return `${hookBase()}/${s.record.id}`; },
    hookSecret: s.hookSecret,
    spawnPty: (spec) => s.spawn(spec),
    adoptProcess: (pid) => s.adopt(pid),
    processExited: (code, signal) => s.processEnded(code, signal),
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
