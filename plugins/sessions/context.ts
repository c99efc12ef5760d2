import type { SessionContext } from './driver.js';
import type { Session } from './session.js';
import { addUsage } from './metrics.js';
import { agentEnv } from './env.js';
import { writeOwnedFile } from './agent-runtime.js';

/**
 * Builds the SessionContext a driver gets for one session: a narrow window onto the runtime. The
 * record is the live object (read-only by type), so drivers always see current fields.
 */
export function createContext(s: Session, hookBase: () => string): SessionContext {
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
