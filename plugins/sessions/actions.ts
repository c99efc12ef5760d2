import type { EventBus } from '../../kernel/index.js';
import type { Principal } from '../auth/index.js';
import type { AgentDriver, Answer, SendResult } from './driver.js';
import type { PromptOption } from './types.js';
import type { Session } from './session.js';
import { InvalidOption, NoQuestion, NothingPending, SendTimeout, SessionEnding, SessionExited } from './errors.js';
import { agentText } from './text.js';

/** Rejects with `onTimeout()` if `work` takes longer than `ms`. */
export async function withTimeout<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([work, new Promise<never>((_, reject) => { timer = setTimeout(() => reject(onTimeout()), ms); })]);
  } finally {
    clearTimeout(timer);
  }
}

/** The driver of a session that can still act; throws SESSION_EXITED or SESSION_ENDING otherwise. */
function liveDriver(s: Session): AgentDriver {
  if (!s.live || !s.driver) throw new SessionExited(s.record.id);
  if (s.record.status === 'ending') throw new SessionEnding(s.record.id);
  return s.driver;
}

function checkOption(options: PromptOption[], option: number | undefined): void {
  if (option !== undefined && !options.some((o) => o.number === option)) throw new InvalidOption(String(option));
}

/**
 * The user-facing actions on a session: each checks the session can take it, lets the driver do
 * it, then counts it and emits the event. Nothing here touches the screen; drivers own that.
 */
export class SessionActions {
  constructor(private readonly events: EventBus, private readonly sendTimeoutMs: number) {}

  private base(s: Session) {
    return { sessionId: s.record.id, tenantId: s.record.owner.tenantId, at: new Date().toISOString() };
  }

  async send(s: Session, text: string, actor?: Principal | null): Promise<SendResult> {
    const driver = liveDriver(s);
    const started = performance.now();
    const result = await withTimeout(driver.send(s.ctx, agentText(text)), this.sendTimeoutMs, () => new SendTimeout(String(this.sendTimeoutMs)));
    const durationMs = performance.now() - started;
    if (result.delivered) s.metrics.messagesSent++; else s.metrics.messagesFailed++;
    s.record.lastActivityAt = new Date().toISOString();
    s.saveSoon();
    this.events.emit('session.message-sent', { ...this.base(s), delivered: result.delivered, attempts: result.attempts, actorId: actor?.id, durationMs });
    return result;
  }

  async approve(s: Session, option?: number, actor?: Principal | null): Promise<void> {
    const driver = liveDriver(s);
    const pending = s.current.pendingPermission;
    if (!pending) throw new NothingPending(s.record.id);
    checkOption(pending.options, option);
    await driver.approve(s.ctx, option);
    s.metrics.approvals++;
    void s.save();
    this.events.emit('permission.resolved', { ...this.base(s), decision: 'approved', option, actorId: actor?.id });
  }

  async reject(s: Session, actor?: Principal | null): Promise<void> {
    const driver = liveDriver(s);
    if (!s.current.pendingPermission) throw new NothingPending(s.record.id);
    await driver.reject(s.ctx);
    s.metrics.rejections++;
    void s.save();
    this.events.emit('permission.resolved', { ...this.base(s), decision: 'rejected', actorId: actor?.id });
  }

  async answer(s: Session, answer: Answer, actor?: Principal | null): Promise<void> {
    const driver = liveDriver(s);
    const pending = s.current.pendingQuestion;
    if (!pending) throw new NoQuestion(s.record.id);
    if ('option' in answer) checkOption(pending.options, answer.option);
    await driver.answer(s.ctx, 'text' in answer ? { text: agentText(answer.text) } : answer);
    s.metrics.answers++;
    void s.save();
    const detail = 'option' in answer ? { option: answer.option } : { text: answer.text };
    this.events.emit('question.answered', { ...this.base(s), ...detail, actorId: actor?.id });
  }

  async interrupt(s: Session, actor?: Principal | null): Promise<void> {
    await liveDriver(s).interrupt(s.ctx);
    s.metrics.interrupts++;
    void s.save();
    this.events.emit('session.interrupted', { ...this.base(s), key: 'interrupt', actorId: actor?.id });
  }

  async escape(s: Session, actor?: Principal | null): Promise<void> {
    await liveDriver(s).escape(s.ctx);
    this.events.emit('session.interrupted', { ...this.base(s), key: 'escape', actorId: actor?.id });
  }

  /**
   * Ends the session. At once (synchronously): emits `session.killed` and marks it `ending`. Then,
   * in the background: the driver's `stop` (bounded by the grace), SIGTERM/SIGKILL of the process
   * groups, and `exited` (reason `killed`, cause `kill`) once they are gone. Returns that end; a
   * second kill while ending returns the same one, and killing an exited session changes nothing.
   */
  kill(s: Session, graceMs: number, actor?: Principal | null): Promise<void> {
    if (!s.live) return Promise.resolve();
    if (s.stopping) return s.stopping;
    s.ending = 'kill';
    // Set before any event goes out, so a listener that kills again joins this kill. Starts on the
    // next microtask, after `ending` has been announced.
    s.stopping = Promise.resolve().then(() => this.stop(s, graceMs));
    this.events.emit('session.killed', { ...this.base(s), actorId: actor?.id });
    s.markEnding('kill');
    return s.stopping;
  }

  private async stop(s: Session, graceMs: number): Promise<void> {
    try {
      if (s.driver?.stop && s.processRunning) {
        await withTimeout(s.driver.stop(s.ctx), graceMs, () => new Error('stop timed out'))
          .catch((err) => s.log.warn({ err }, 'driver stop failed; killing the process group'));
      }
      await s.terminate();
    } catch (err) {
      s.log.error({ err }, 'ending the process group failed');
    }
    s.markKilled();
    await s.flush().catch((err) => s.log.error({ err }, 'saving the killed session failed'));
  }
}
