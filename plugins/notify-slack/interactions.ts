import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { ErrorBodySchema } from '../../kernel/index.js';
import { sendHttp, type NotificationsService } from '../notifications/index.js';
import { APPROVE, REJECT, decidedMessage } from './blocks.js';
import { PayloadInvalid } from './errors.js';
import { InteractionHeaders, InteractionReply } from './schema.js';
import { verifySlack } from './signature.js';

/** What the route needs. */
export interface InteractionDeps {
  signingSecret: string;
  allowPrivate: boolean;
  timeoutMs: number;
  notifications: NotificationsService;
  log: Logger;
}

interface Action { action_id?: unknown; value?: unknown }

/** The parts of Slack's block_actions payload this route reads. */
interface SlackPayload {
  type?: unknown;
  actions?: unknown;
  user?: { id?: unknown; username?: unknown; name?: unknown };
  response_url?: unknown;
  message?: { blocks?: unknown };
}

function parse(raw: string): SlackPayload {
  let payload: SlackPayload;
  try {
    payload = JSON.parse(new URLSearchParams(raw).get('payload') ?? '');
  } catch {
    throw new PayloadInvalid('the form has no JSON `payload` field');
  }
  if (!payload || typeof payload !== 'object') throw new PayloadInvalid('payload is not an object');
  return payload;
}

function target(action: Action): { sessionId: string; promptId: string; decision: 'approve' | 'reject' } {
  const decision = action.action_id === APPROVE ? 'approve' : action.action_id === REJECT ? 'reject' : undefined;
  if (!decision || typeof action.value !== 'string') throw new PayloadInvalid('the action is not an Aegis button');
  let v: { s?: unknown; p?: unknown };
  try { v = JSON.parse(action.value); } catch { throw new PayloadInvalid('the button value is not one Aegis made'); }
  if (typeof v?.s !== 'string' || typeof v?.p !== 'string') throw new PayloadInvalid('the button value is not one Aegis made');
  return { sessionId: v.s, promptId: v.p, decision };
}

/**
 * `POST /v1/channels/slack/interactions`, called by Slack, not by API clients: open to the bearer
 * guard (`auth: false`) and authenticated by Slack's signature over the raw form body instead.
 * Refusals are 401 with a code and are audited. A button approves or rejects the exact prompt it
 * was made for; the message is then updated through `response_url` to show who decided.
 */
export async function slackInteractions(app: FastifyInstance, deps: InteractionDeps): Promise<void> {
  // The signature covers the raw bytes, so the form is kept as a string and parsed after checking.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 256 * 1024 }, (_req, body, done) => done(null, body));

  const respond = (url: unknown, message: Record<string, unknown>) => {
    if (typeof url !== 'string') return;
    const body = JSON.stringify(deps.notifications.scrubber.scrub(message));
    // Only Slack's own hosts over https, unless allowPrivate: response_url comes from the request.
    sendHttp({ url, headers: { 'content-type': 'application/json' }, body },
      { allowPrivate: deps.allowPrivate, allowedHosts: deps.allowPrivate ? undefined : ['slack.com'], signal: AbortSignal.timeout(deps.timeoutMs) })
      .then((res) => { if (res.status >= 300) deps.log.warn({ status: res.status }, 'slack: response_url refused the update'); })
      .catch((err) => deps.log.warn({ err: { message: (err as Error).message } }, 'slack: could not update the message'));
  };

  app.post('/v1/channels/slack/interactions', {
    config: { auth: false },
    schema: {
      tags: ['channels'], summary: 'Slack interactivity request URL (signed by Slack, not a bearer token)',
      headers: InteractionHeaders,
      response: { 200: InteractionReply, 400: ErrorBodySchema, 401: ErrorBodySchema },
    },
  }, async (request: FastifyRequest) => {
    const raw = typeof request.body === 'string' ? request.body : '';
    try {
      verifySlack(deps.signingSecret, {
        signature: request.headers['x-slack-signature'] as string | undefined,
        timestamp: request.headers['x-slack-request-timestamp'] as string | undefined,
      }, raw);
    } catch (err) {
      await deps.notifications.refused('slack', request.ip, (err as { code: string }).code);
      throw err;
    }
    const payload = parse(raw);
    if (payload.type !== 'block_actions') return { ok: true, ignored: true };
    const action = (Array.isArray(payload.actions) ? payload.actions[0] : undefined) as Action | undefined;
    if (!action) throw new PayloadInvalid('no action');
    const { sessionId, promptId, decision } = target(action);
    const user = payload.user ?? {};
    const userId = typeof user.id === 'string' ? user.id : 'unknown';
    const userName = typeof user.username === 'string' ? user.username : typeof user.name === 'string' ? user.name : undefined;
    try {
      await deps.notifications.decide({ sessionId, promptId, decision, actor: { channel: 'slack', userId, ...(userName ? { userName } : {}) } });
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'AEGIS_ERR_INTERNAL';
      respond(payload.response_url, { response_type: 'ephemeral', replace_original: false, text: 'This request is no longer pending; nothing was done.' });
      return { ok: false, code };
    }
    const who = userName ? `@${userName} (${userId})` : userId;
    respond(payload.response_url, decidedMessage(payload.message?.blocks, `${decision === 'approve' ? 'Approved' : 'Rejected'} by ${who}`));
    return { ok: true };
  });
}
