import { Type, type Static } from '@sinclair/typebox';

/** The `plugins.notify-discord` options block. */
export const optionsSchema = Type.Object({
  webhookUrl: Type.String({ pattern: '^https?://', description: 'The webhook URL (a secret: it is masked everywhere); application-owned for buttons' }),
  publicKey: Type.Optional(Type.String({ pattern: '^[0-9a-fA-F]{64}$', description: 'The application\'s Ed25519 public key (hex); enables POST /v1/channels/discord/interactions' })),
  applicationId: Type.Optional(Type.String({ pattern: '^[0-9]{1,32}$', description: 'The application id; interactions for another application are refused' })),
  events: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'Event patterns; default session.created, session.exited, permission.* and question.*' })),
  allowPrivate: Type.Boolean({ default: false, description: 'Allow private and loopback targets (tests)' }),
  dashboardUrl: Type.String({ pattern: '^https?://', default: 'http://localhost:9100/dashboard', description: 'Dashboard base for session links (AEGIS_DASHBOARD_URL)' }),
}, { additionalProperties: false });

export type DiscordOptions = Static<typeof optionsSchema>;

/** Environment variables read into these options by the kernel's env overlay. */
export const envOptions = { AEGIS_DASHBOARD_URL: 'dashboardUrl' } as const;
