import type { FastifyInstance } from 'fastify';
import type { Instruments } from './instruments.js';

type Payload = Record<string, unknown>;
const str = (v: unknown, fallback = 'unknown') => (typeof v === 'string' && v ? v : fallback);

/**
 * Feeds the event-driven metrics from the bus: sessions created, state changes, how long
 * permission prompts waited, message delivery time, channel outcomes. Channel events are matched
 * by name, so this works with whichever notification plugins are loaded (or none).
 */
export function feedFromBus(app: FastifyInstance, m: Instruments): () => void {
  // When each session entered permission_prompt, until the prompt is answered or the session ends.
  const promptSince = new Map<string, number>();
  const agentOf = (sessionId: unknown) => (typeof sessionId === 'string' && app.hasDecorator('sessions') ? app.sessions.get(sessionId)?.agent : undefined) ?? 'unknown';
  const offs = [
    app.events.on('session.created', (p) => m.sessionsCreated.inc({ agent: p.agent })),
    app.events.on('session.state-changed', (p) => {
      m.transitions.inc({ from: p.from, to: p.to });
      if (p.to === 'permission_prompt') promptSince.set(p.sessionId, Date.parse(p.at));
    }),
    app.events.on('permission.resolved', (p) => {
      const since = promptSince.get(p.sessionId);
      if (since === undefined) return;
      promptSince.delete(p.sessionId);
      m.permissionWait.observe({ agent: agentOf(p.sessionId), decision: p.decision }, Math.max(0, Date.parse(p.at) - since) / 1000);
    }),
    app.events.on('session.exited', (p) => { promptSince.delete(p.sessionId); }),
    app.events.on('session.message-sent', (p) => {
      if (p.durationMs !== undefined) m.deliveryTime.observe({ agent: agentOf(p.sessionId), delivered: String(p.delivered) }, p.durationMs / 1000);
    }),
    app.events.onAny((e) => {
      const p = e.payload as Payload;
      switch (e.name as string) {
        case 'notification.delivered': m.channelDeliveries.inc({ channel: str(p.channel) }); break;
        case 'notification.failed': m.channelFailures.inc({ channel: str(p.channel) }); break;
        case 'notification.dead-lettered': m.deadLetters.inc({ channel: str(p.channel) }); break;
        default: break;
      }
    }),
  ];
  return () => { for (const off of offs) off(); };
}
