import type { Delivery, OutboundResponse, SendOutcome, ShownData } from '../notifications/index.js';
import { outcomeOf, retryAfterMs } from '../notifications/index.js';

type Json = Record<string, unknown>;

const clip = (s: string, n: number) => (s.length > n ? s.slice(0, n - 1) + '…' : s);
const COLORS: Record<string, number> = { 'permission.requested': 0xf0b232, 'session.exited': 0x99aab5, 'question.asked': 0x5865f2 };

/** `aegis:<approve|reject>:<session id>:<prompt id>`, within Discord's 100 characters. */
export function customId(decision: 'approve' | 'reject', sessionId: string, promptId: string): string {
  return `aegis:${decision}:${sessionId}:${promptId}`;
}

export function parseCustomId(id: unknown): { decision: 'approve' | 'reject'; sessionId: string; promptId: string } | undefined {
  const m = typeof id === 'string' ? /^aegis:(approve|reject):([^:]{1,40}):([^:]{1,40})$/.exec(id) : null;
  return m ? { decision: m[1] as 'approve' | 'reject', sessionId: m[2], promptId: m[3] } : undefined;
}

function description(d: Delivery): string | undefined {
  const data = d.data as ShownData;
  const block = (s: string) => '```\n' + clip(s.replace(/```/g, "'''"), 3500) + '\n```';
  switch (d.type) {
    case 'permission.requested': return `**${String(data.permission?.tool ?? '')}** wants to run:\n${block(String(data.permission?.detail ?? ''))}`;
    case 'permission.resolved': return `**${String(data.decision)}**${data.actorId ? ` by ${String(data.actorId)}` : ''}`;
    case 'question.asked': return clip(String(data.question?.question ?? ''), 3500);
    case 'session.state-changed': return `${String(data.from)} → **${String(data.to)}**`;
    case 'session.exited': return `exit code ${String(data.exitCode)}${data.reason ? `: ${clip(String(data.reason), 500)}` : ''}`;
    default: return undefined;
  }
}

/** The webhook body for one delivery: an embed, and Approve/Reject buttons on a permission request. */
export function discordMessage(d: Delivery, dashboardUrl: string): { body: Json; components: boolean } {
  const name = d.session?.name ?? d.sessionId ?? 'Aegis';
  const desc = description(d);
  const embed: Json = {
    title: clip(`${d.type} · ${name}`, 256),
    ...(desc ? { description: desc } : {}),
    color: COLORS[d.type] ?? 0x57f287,
    timestamp: d.at,
    fields: [
      ...(d.session?.status ? [{ name: 'State', value: d.session.status, inline: true }] : []),
      ...(d.session?.agent ? [{ name: 'Agent', value: d.session.agent, inline: true }] : []),
    ],
    ...(d.sessionId ? { url: `${dashboardUrl.replace(/\/+$/, '')}/sessions/${encodeURIComponent(d.sessionId)}` } : {}),
    footer: { text: 'Aegis' },
  };
  const buttons = d.type === 'permission.requested' && !!d.sessionId;
  const body: Json = { embeds: [embed], allowed_mentions: { parse: [] } };
  if (buttons) {
    body.components = [{
      type: 1,
      components: [
        { type: 2, style: 3, label: 'Approve', custom_id: customId('approve', d.sessionId!, d.eventId) },
        { type: 2, style: 4, label: 'Reject', custom_id: customId('reject', d.sessionId!, d.eventId) },
      ],
    }];
  }
  return { body, components: buttons };
}

/**
 * Discord's reading of a response: its rate-limit headers hold the channel (an empty bucket
 * pauses it for X-RateLimit-Reset-After; a 429 for retry_after from the body or Retry-After).
 */
export function discordOutcome(res: OutboundResponse): SendOutcome {
  const h = res.headers;
  const reset = Number(h['x-ratelimit-reset-after']);
  const empty = h['x-ratelimit-remaining'] === '0' && Number.isFinite(reset) ? Math.ceil(reset * 1000) : undefined;
  if (res.status === 429) {
    let bodyWait: number | undefined;
    try { const j = JSON.parse(res.body) as { retry_after?: unknown }; if (typeof j.retry_after === 'number') bodyWait = Math.ceil(j.retry_after * 1000); } catch { /* not JSON */ }
    const wait = bodyWait ?? retryAfterMs(h['retry-after']) ?? empty ?? 1000;
    return { ok: false, status: 429, error: 'rate limited (429)', rateLimited: true, retryAfterMs: wait };
  }
  const outcome = outcomeOf(res);
  return empty ? { ...outcome, pauseMs: empty } : outcome;
}

/** The message after a decision: the same embeds with who decided, and no buttons. */
export function decidedUpdate(message: unknown, line: string): Json {
  const embeds = Array.isArray((message as { embeds?: unknown })?.embeds) ? ((message as { embeds: Json[] }).embeds).slice(0, 10) : [];
  const first = { ...(embeds[0] ?? {}), fields: [...(((embeds[0] ?? {}) as { fields?: Json[] }).fields ?? []).slice(0, 20), { name: 'Decision', value: clip(line, 1000) }] };
  return { type: 7, data: { embeds: [first, ...embeds.slice(1)], components: [], allowed_mentions: { parse: [] } } };
}
