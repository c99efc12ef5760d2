import type { KeyObject } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { ErrorBodySchema } from '../../kernel/index.js';
import type { NotificationsService } from '../notifications/index.js';
import { decidedUpdate, parseCustomId } from './embeds.js';
import { PayloadInvalid } from './errors.js';
import { verifyDiscord } from './signature.js';

/** What the route needs. */
export interface InteractionDeps {
  key: KeyObject;
  applicationId?: string;
  notifications: NotificationsService;
}

/** The parts of a Discord interaction this route reads. */
interface DiscordInteraction {
  type?: unknown;
  application_id?: unknown;
  data?: { custom_id?: unknown };
  member?: { user?: DiscordUser };
  user?: DiscordUser;
  message?: unknown;
}
interface DiscordUser { id?: unknown; username?: unknown }

const ephemeral = (content: string) => ({ type: 4, data: { content, flags: 64, allowed_mentions: { parse: [] } } });

/**
 * `POST /v1/channels/discord/interactions`, Discord's interactions endpoint: open to the bearer
 * guard (`auth: false`) and authenticated by the Ed25519 signature over timestamp + raw body.
 * Refusals are 401 with a code and are audited. PING is answered with PONG; a button approves or
 * rejects the exact prompt it was made for and the message is updated to show who decided.
 */
export async function discordInteractions(app: FastifyInstance, deps: InteractionDeps): Promise<void> {
  // The signature covers the raw bytes: this scope keeps JSON bodies as strings and parses after checking.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 256 * 1024 }, (_req, body, done) => done(null, body));

  app.post('/v1/channels/discord/interactions', {
    config: { auth: false },
    schema: {
      tags: ['channels'], summary: 'Discord interactions endpoint (signed by Discord, not a bearer token)',
      response: { 200: Type.Object({ type: Type.Integer(), data: Type.Optional(Type.Record(Type.String(), Type.Unknown())) }), 400: ErrorBodySchema, 401: ErrorBodySchema },
    },
  }, async (request: FastifyRequest) => {
    const raw = typeof request.body === 'string' ? request.body : '';
    try {
      verifyDiscord(deps.key, {
        signature: request.headers['x-signature-ed25519'] as string | undefined,
        timestamp: request.headers['x-signature-timestamp'] as string | undefined,
      }, raw);
    } catch (err) {
      await deps.notifications.refused('discord', request.ip, (err as { code: string }).code);
      throw err;
    }
    let interaction: DiscordInteraction;
    try { interaction = JSON.parse(raw); } catch { throw new PayloadInvalid('the body is not JSON'); }
    if (!interaction || typeof interaction !== 'object') throw new PayloadInvalid('the body is not an object');
    if (deps.applicationId && interaction.application_id !== deps.applicationId) throw new PayloadInvalid('it is for another application');
    if (interaction.type === 1) return { type: 1 };
    if (interaction.type !== 3) return ephemeral('Aegis only handles its own buttons.');
    const target = parseCustomId(interaction.data?.custom_id);
    if (!target) return ephemeral('This button is not one Aegis made.');
    const user = interaction.member?.user ?? interaction.user ?? {};
    const userId = typeof user.id === 'string' ? user.id : 'unknown';
    const userName = typeof user.username === 'string' ? user.username : undefined;
    try {
      await deps.notifications.decide({ ...target, actor: { channel: 'discord', userId, ...(userName ? { userName } : {}) } });
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'AEGIS_ERR_INTERNAL';
      return ephemeral(`This request is no longer pending; nothing was done (${code}).`);
    }
    const who = userName ? `${userName} (${userId})` : userId;
    return deps.notifications.scrubber.scrub(decidedUpdate(interaction.message, `${target.decision === 'approve' ? 'Approved' : 'Rejected'} by ${who}`));
  });
}
