import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';
import type {} from '../auth/index.js';
import { ErrorBodySchema } from '../../kernel/index.js';
import type { SessionsRegistry } from './service.js';
import { NoRecording } from './errors.js';
import {
  AnswerBody, ApproveBody, CreateBody, CreatedSessionSchema, CursorQuery, CursorResponse, Empty, IdParams, KillQuery, ListQuery,
  ListResponse, MetricsResponse, Ok, PaneResponse, SendBody, SendResponse, SessionSchema, TranscriptQuery, TranscriptResponse,
} from './route-schemas.js';

const AgentsResponse = Type.Object({
  agents: Type.Array(Type.Object({
    name: Type.String(),
    capabilities: Type.Object({ resume: Type.Boolean(), transcript: Type.Boolean(), permissions: Type.Boolean(), questions: Type.Boolean() }),
  })),
});
/** `GET /v1/agents`. */
export type AgentsList = Static<typeof AgentsResponse>;

const errors = { 400: ErrorBodySchema, 403: ErrorBodySchema, 404: ErrorBodySchema, 409: ErrorBodySchema };

/** Routes whose body is optional: a POST without a body means `{}`. */
async function emptyBody(request: FastifyRequest): Promise<void> {
  if (request.body === undefined || request.body === null) request.body = {};
}

/** The session REST routes under /v1/sessions. Every `:id` route goes through the access policies. */
export async function sessionRoutes(app: FastifyInstance, opts: { service: SessionsRegistry }): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const svc = opts.service;
  const tags = ['sessions'];
  const id = { params: IdParams };

  r.post('/v1/sessions', {
    config: { permission: 'create' },
    schema: { tags, summary: 'Create a session (or reuse an idle one)', body: CreateBody, response: { 200: CreatedSessionSchema, 201: CreatedSessionSchema, ...errors, 429: ErrorBodySchema } },
  }, async (request, reply) => {
    const { session, reused } = await svc.create(request.body, request.principal);
    return reply.status(reused ? 200 : 201).send({ ...session, reused });
  });

  r.get('/v1/sessions', {
    config: { permission: 'read' },
    schema: { tags, summary: 'List sessions', querystring: ListQuery, response: { 200: ListResponse, 400: ErrorBodySchema } },
  }, async (request) => svc.list({ ...request.query, principal: request.principal }));

  r.get('/v1/agents', {
    config: { permission: 'read' },
    schema: { tags, summary: 'The agent drivers this server can run', response: { 200: AgentsResponse } },
  }, async () => ({ agents: svc.agents().map((a) => ({ name: a.name, capabilities: { ...a.capabilities } })) }));

  r.get('/v1/sessions/:id', {
    config: { permission: 'read' },
    schema: { tags, summary: 'One session, with what it waits for', ...id, response: { 200: SessionSchema, ...errors } },
  }, async (request) => {
    svc.authorize(request.principal, request.params.id, 'read');
    return svc.get(request.params.id)!;
  });

  r.delete('/v1/sessions/:id', {
    config: { permission: 'kill' },
    schema: {
      tags, summary: 'Kill a session (its whole process group); the record stays',
      description: 'Answers 202 at once with the session `ending` (persisted); its process group is stopped in the '
        + 'background (SIGTERM, SIGKILL after killGraceMs) and the session becomes `exited` (cause `kill`, reason '
        + '`killed`) once the group is gone: follow `session.state-changed` or GET it. `?wait=true` answers 200 '
        + 'with the `exited` session instead. An exited session answers 200 unchanged; a kill while `ending` '
        + 'joins the one in flight.',
      ...id, querystring: KillQuery,
      response: { 200: SessionSchema, 202: SessionSchema, ...errors },
    },
  }, async (request, reply) => {
    svc.authorize(request.principal, request.params.id, 'act');
    const view = await svc.kill(request.params.id, request.principal, { wait: request.query.wait === true });
    return reply.status(view.status === 'exited' ? 200 : 202).send(view);
  });

  r.post('/v1/sessions/:id/send', {
    config: { permission: 'send' },
    schema: { tags, summary: 'Send a message', ...id, body: SendBody, response: { 200: SendResponse, ...errors, 504: ErrorBodySchema } },
  }, async (request) => {
    svc.authorize(request.principal, request.params.id, 'act');
    return svc.send(request.params.id, request.body.text, request.principal);
  });

  r.post('/v1/sessions/:id/approve', {
    config: { permission: 'approve' }, preValidation: emptyBody,
    schema: { tags, summary: 'Approve the pending permission', ...id, body: ApproveBody, response: { 200: Ok, ...errors } },
  }, async (request) => {
    svc.authorize(request.principal, request.params.id, 'act');
    await svc.approve(request.params.id, request.body.option, request.principal);
    return { ok: true };
  });

  r.post('/v1/sessions/:id/reject', {
    config: { permission: 'reject' }, preValidation: emptyBody,
    schema: { tags, summary: 'Reject the pending permission', ...id, body: Empty, response: { 200: Ok, ...errors } },
  }, async (request) => {
    svc.authorize(request.principal, request.params.id, 'act');
    await svc.reject(request.params.id, request.principal);
    return { ok: true };
  });

  r.post('/v1/sessions/:id/answer', {
    config: { permission: 'send' },
    schema: { tags, summary: 'Answer the pending question with an option or text', ...id, body: AnswerBody, response: { 200: Ok, ...errors } },
  }, async (request) => {
    svc.authorize(request.principal, request.params.id, 'act');
    await svc.answer(request.params.id, request.body, request.principal);
    return { ok: true };
  });

  for (const action of ['interrupt', 'escape'] as const) {
    r.post(`/v1/sessions/:id/${action}`, {
      config: { permission: 'send' }, preValidation: emptyBody,
      schema: { tags, summary: action === 'interrupt' ? 'Interrupt the agent (Ctrl-C)' : 'Press Escape', ...id, body: Empty, response: { 200: Ok, ...errors } },
    }, async (request) => {
      svc.authorize(request.principal, request.params.id, 'act');
      await svc[action](request.params.id, request.principal);
      return { ok: true };
    });
  }

  r.get('/v1/sessions/:id/pane', {
    config: { permission: 'read' },
    schema: { tags, summary: 'The terminal screen and cursor', ...id, response: { 200: PaneResponse, ...errors } },
  }, async (request) => {
    svc.authorize(request.principal, request.params.id, 'read');
    const screen = svc.pane(request.params.id);
    return { ...screen, text: screen.lines.join('\n') };
  });

  r.get('/v1/sessions/:id/transcript', {
    config: { permission: 'read' },
    schema: { tags, summary: 'Transcript, paged by offset, optionally one role', ...id, querystring: TranscriptQuery, response: { 200: TranscriptResponse, ...errors } },
  }, async (request) => {
    const rec = svc.authorize(request.principal, request.params.id, 'read');
    app.events.emit('session.transcript-read', { sessionId: rec.id, tenantId: rec.owner.tenantId, at: new Date().toISOString(), actorId: request.principal?.id });
    return svc.transcript(request.params.id, request.query);
  });

  r.get('/v1/sessions/:id/transcript/cursor', {
    config: { permission: 'read' },
    schema: { tags, summary: 'Transcript, newest first, paged by a stable entry id', ...id, querystring: CursorQuery, response: { 200: CursorResponse, ...errors } },
  }, async (request) => {
    const rec = svc.authorize(request.principal, request.params.id, 'read');
    app.events.emit('session.transcript-read', { sessionId: rec.id, tenantId: rec.owner.tenantId, at: new Date().toISOString(), actorId: request.principal?.id });
    return svc.transcriptBefore(request.params.id, { beforeId: request.query.before_id, limit: request.query.limit });
  });

  r.get('/v1/sessions/:id/recording.cast', {
    config: { permission: 'read' },
    schema: { tags, summary: 'The PTY output as an asciicast v2 recording', ...id, response: { 200: Type.String(), ...errors } },
  }, async (request, reply) => {
    svc.authorize(request.principal, request.params.id, 'read');
    const cast = await svc.recording(request.params.id);
    if (cast === undefined) throw new NoRecording(request.params.id);
    return reply.type('application/x-asciicast').send(cast);
  });

  r.get('/v1/sessions/:id/metrics', {
    config: { permission: 'read' },
    schema: { tags, summary: 'Counters and durations of a session', ...id, response: { 200: MetricsResponse, ...errors } },
  }, async (request) => {
    svc.authorize(request.principal, request.params.id, 'read');
    return svc.metrics(request.params.id);
  });
}
