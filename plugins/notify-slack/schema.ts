import { Type, type Static } from '@sinclair/typebox';

/** The `plugins.notify-slack` options block. */
export const optionsSchema = Type.Object({
  webhookUrl: Type.String({ pattern: '^https?://', description: 'The Slack app\'s incoming webhook URL (a secret: it is masked everywhere)' }),
  signingSecret: Type.Optional(Type.String({ minLength: 16, description: 'The app\'s signing secret; enables POST /v1/channels/slack/interactions' })),
  events: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'Event patterns; default session.created, session.exited, permission.* and question.*' })),
  allowPrivate: Type.Boolean({ default: false, description: 'Allow private and loopback targets and any response_url host (tests)' }),
  dashboardUrl: Type.String({ pattern: '^https?://', default: 'http://localhost:9100/dashboard', description: 'Dashboard base for session links (AEGIS_DASHBOARD_URL)' }),
}, { additionalProperties: false });

export type SlackOptions = Static<typeof optionsSchema>;

/** Environment variables read into these options by the kernel's env overlay. */
export const envOptions = { AEGIS_DASHBOARD_URL: 'dashboardUrl' } as const;

/** The one request Slack sends: an interaction, form-encoded, signed. */
export const InteractionHeaders = Type.Object({
  'x-slack-signature': Type.Optional(Type.String()),
  'x-slack-request-timestamp': Type.Optional(Type.String()),
});

export const InteractionReply = Type.Object({ ok: Type.Boolean(), code: Type.Optional(Type.String()), ignored: Type.Optional(Type.Boolean()) });
