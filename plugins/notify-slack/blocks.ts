import type { Delivery, ShownData } from '../notifications/index.js';

/** The two actions of a permission message. */
export const APPROVE = 'aegis.approve';
export const REJECT = 'aegis.reject';

type Block = Record<string, unknown>;

/** mrkdwn escaping: Slack reads only these three as control characters. */
export const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const clip = (s: string, n: number) => (s.length > n ? s.slice(0, n - 1) + '…' : s);
const code = (s: string) => '```' + clip(esc(s).replace(/```/g, "'''"), 2800) + '```';

const TITLES: Record<string, string> = {
  'permission.requested': 'Permission requested',
  'permission.resolved': 'Permission decided',
  'question.asked': 'Question',
  'question.answered': 'Question answered',
  'session.created': 'Session created',
  'session.exited': 'Session exited',
  'session.state-changed': 'Session state changed',
  'session.killed': 'Session killed',
};

/** The button value: which session and which prompt (the permission.requested event id). */
export function buttonValue(sessionId: string, promptId: string): string {
  return JSON.stringify({ s: sessionId, p: promptId });
}

function body(d: Delivery): string | undefined {
  const data = d.data as ShownData;
  switch (d.type) {
    case 'permission.requested': return `*${esc(String(data.permission?.tool ?? ''))}* wants to run:\n${code(String(data.permission?.detail ?? ''))}`;
    case 'permission.resolved': return `*${esc(String(data.decision))}*${data.actorId ? ` by ${esc(String(data.actorId))}` : ''}`;
    case 'question.asked': return esc(clip(String(data.question?.question ?? ''), 2800));
    case 'session.state-changed': return `${esc(String(data.from))} → *${esc(String(data.to))}*`;
    case 'session.exited': return `exit code ${esc(String(data.exitCode))}${data.reason ? `: ${esc(clip(String(data.reason), 500))}` : ''}`;
    default: return undefined;
  }
}

/** A Block Kit message for one delivery; a permission request carries Approve and Reject buttons. */
export function slackMessage(d: Delivery, dashboardUrl: string): { text: string; blocks: Block[] } {
  const title = TITLES[d.type] ?? d.type;
  const name = d.session?.name ?? d.sessionId ?? 'Aegis';
  const blocks: Block[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `*${esc(title)}* · session *${esc(clip(name, 200))}*` } },
  ];
  const text = body(d);
  if (text) blocks.push({ type: 'section', text: { type: 'mrkdwn', text } });
  const fields = [
    ...(d.session?.status ? [{ type: 'mrkdwn', text: `*State*\n${esc(d.session.status)}` }] : []),
    ...(d.session?.agent ? [{ type: 'mrkdwn', text: `*Agent*\n${esc(d.session.agent)}` }] : []),
  ];
  if (fields.length) blocks.push({ type: 'section', fields });
  if (d.type === 'permission.requested' && d.sessionId) {
    const value = buttonValue(d.sessionId, d.eventId);
    blocks.push({
      type: 'actions', block_id: 'aegis.permission',
      elements: [
        { type: 'button', action_id: APPROVE, style: 'primary', text: { type: 'plain_text', text: 'Approve' }, value },
        { type: 'button', action_id: REJECT, style: 'danger', text: { type: 'plain_text', text: 'Reject' }, value },
      ],
    });
  }
  if (d.sessionId) {
    const link = `${dashboardUrl.replace(/\/+$/, '')}/sessions/${encodeURIComponent(d.sessionId)}`;
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `<${link}|Open in the dashboard>` }] });
  }
  return { text: `${title}: ${clip(name, 200)}`, blocks };
}

/** The message after a decision: the original without its buttons, plus who decided. */
export function decidedMessage(original: unknown, line: string): { replace_original: true; text: string; blocks: Block[] } {
  const kept = Array.isArray(original) ? (original as Block[]).filter((b) => b && typeof b === 'object' && b.type !== 'actions').slice(0, 45) : [];
  return { replace_original: true, text: line, blocks: [...kept, { type: 'context', elements: [{ type: 'mrkdwn', text: esc(line) }] }] };
}
