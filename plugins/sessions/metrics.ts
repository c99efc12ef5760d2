import type { SessionMetrics } from './api.js';
import type { PersistedMetrics, SessionRecord, SessionState, TokenUsage } from './types.js';

/** Fresh counters for a new session that starts in `state` now. */
export function emptyMetrics(now = new Date().toISOString()): PersistedMetrics {
  return {
    messagesSent: 0, messagesFailed: 0, toolCalls: {}, approvals: 0, rejections: 0, answers: 0, interrupts: 0,
    stateChanges: 0, timeInState: {}, stateSince: now,
    usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0 },
  };
}

/** Counts a state change and closes the time spent in the state being left. */
export function recordTransition(m: PersistedMetrics, from: SessionState, at: Date): void {
  const spent = Math.max(0, at.getTime() - Date.parse(m.stateSince));
  m.timeInState[from] = (m.timeInState[from] ?? 0) + spent;
  m.stateSince = at.toISOString();
  m.stateChanges++;
}

/** Adds token usage; cost is summed only when reported. */
export function addUsage(m: PersistedMetrics, u: Partial<TokenUsage>): void {
  m.usage.inputTokens += u.inputTokens ?? 0;
  m.usage.outputTokens += u.outputTokens ?? 0;
  m.usage.cacheReadTokens += u.cacheReadTokens ?? 0;
  m.usage.cacheCreationTokens += u.cacheCreationTokens ?? 0;
  if (u.costUsd !== undefined) m.usage.costUsd = (m.usage.costUsd ?? 0) + u.costUsd;
}

/**
 * The metrics view of a record. The current state's open stretch is counted up to now (or up to
 * `updatedAt` once exited); `usage` is the driver's own figure when it has one.
 */
export function metricsView(record: SessionRecord, now: Date, driverUsage?: TokenUsage): SessionMetrics {
  const m = record.metrics ?? emptyMetrics(record.createdAt);
  const timeInState = { ...m.timeInState };
  if (record.status !== 'exited') {
    timeInState[record.status] = (timeInState[record.status] ?? 0) + Math.max(0, now.getTime() - Date.parse(m.stateSince));
  }
  const end = record.status === 'exited' ? Date.parse(m.stateSince) : now.getTime();
  const byName = { ...m.toolCalls };
  return {
    sessionId: record.id,
    status: record.status,
    ageMs: Math.max(0, end - Date.parse(record.createdAt)),
    timeInState,
    stateChanges: m.stateChanges,
    messagesSent: m.messagesSent,
    messagesFailed: m.messagesFailed,
    toolCalls: { total: Object.values(byName).reduce((a, b) => a + b, 0), byName },
    approvals: m.approvals,
    rejections: m.rejections,
    answers: m.answers,
    interrupts: m.interrupts,
    restarts: record.restarts,
    usage: driverUsage ?? { ...m.usage },
  };
}
