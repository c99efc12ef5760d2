import { createHash } from 'node:crypto';
import type { PendingPermission } from '../sessions/index.js';

const fingerprint = (p: PendingPermission) =>
  createHash('sha256').update(JSON.stringify([p.kind, p.tool, p.detail, p.options.map((o) => o.label)])).digest('hex');

/**
 * Which permission prompt each session is waiting on, by the id of the `permission.requested`
 * event that announced it. A button carries that id; it acts only while the same prompt is still
 * the one pending, so a button left over from an earlier prompt can never approve a later one.
 */
export class PromptTracker {
  private readonly open = new Map<string, { promptId: string; fingerprint: string }>();

  requested(sessionId: string, promptId: string, permission: PendingPermission): void {
    this.open.set(sessionId, { promptId, fingerprint: fingerprint(permission) });
  }

  closed(sessionId: string): void { this.open.delete(sessionId); }

  /** Whether `promptId` is the prompt pending now and the session still shows that very permission. */
  current(sessionId: string, promptId: string, pending: PendingPermission | undefined): boolean {
    const known = this.open.get(sessionId);
    return !!known && !!pending && known.promptId === promptId && known.fingerprint === fingerprint(pending);
  }
}
