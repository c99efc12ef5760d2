import fp from 'fastify-plugin';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type {} from '../sessions/index.js';
import { createCommandDriver } from './driver.js';

/** The `plugins.command` options block. */
export const optionsSchema = Type.Object({
  command: Type.Optional(Type.String({ minLength: 1, description: 'Program every command session runs (a PATH name or an absolute path); no shell is involved' })),
  args: Type.Array(Type.String(), { default: [], description: 'Arguments of `command`' }),
  quietMs: Type.Integer({ minimum: 10, default: 500, description: 'Silence after which a session counts as idle' }),
  allowedCommands: Type.Array(Type.String({ minLength: 1 }), {
    default: [],
    description: 'Commands a create request may name in agentOptions.command (with any args); empty = only the configured one',
  }),
  onRestart: Type.Union([Type.Literal('rerun'), Type.Literal('exit')], {
    default: 'rerun',
    description: 'After a server restart: run the program again in the same session, or mark the session exited',
  }),
}, { additionalProperties: false });

export type CommandOptions = Static<typeof optionsSchema>;

/** Registers the generic `command` agent driver with the sessions plugin. */
async function command(app: FastifyInstance, opts: CommandOptions) {
  app.sessions.addAgent(createCommandDriver(opts));
}

export default fp(command, { name: 'command', fastify: '5.x', dependencies: ['sessions'] });
