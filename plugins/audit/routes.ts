import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type {} from '../auth/index.js';
import { ErrorBodySchema } from '../../kernel/index.js';
import { CursorInvalid, TimeInvalid, VerifyForbidden } from './errors.js';
import { CSV_HEADER, csvLine, decodeCursor, findPage, findRecords, type AuditFilter } from './query.js';
import { AuditPage, AuditQuery, VerifyReportSchema } from './schema.js';
import type { AuditService } from './service.js';


const time = (name: string, v: string | undefined) => {
  if (v !== undefined && Number.isNaN(Date.parse(v))) throw new TimeInvalid(name);
  return v;
};

async function* lines(records: AsyncIterable<{ seq: number }>, format: 'ndjson' | 'csv') {
  if (format === 'csv') yield CSV_HEADER;
  for await (const r of records) yield format === 'csv' ? csvLine(r as Parameters<typeof csvLine>[0]) : JSON.stringify(r) + '\n';
}

/** `GET /v1/audit`: filtered, paged reads; NDJSON/CSV export; the integrity report. */
export async function auditRoutes(app: FastifyInstance, opts: { audit: AuditService }): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get('/v1/audit', {
    config: { permission: 'audit' },
    schema: {
      tags: ['audit'], summary: 'Audit records (filters, cursor paging, export, verify=true for the integrity report)',
      querystring: AuditQuery,
      response: { 200: Type.Union([AuditPage, VerifyReportSchema]), 400: ErrorBodySchema, 403: ErrorBodySchema },
    },
  }, async (request, reply) => {
    const q = request.query;
    const principal = request.principal!;
    app.events.emit('audit.read', {
      actorId: principal.id, ...(principal.tenantId !== undefined ? { tenantId: principal.tenantId } : {}), format: q.format, verify: q.verify,
      filter: Object.fromEntries(Object.entries({ actor: q.actor, action: q.action, sessionId: q.sessionId, tenantId: q.tenantId, from: q.from, to: q.to })
        .filter(([, v]) => v !== undefined)),
      at: new Date().toISOString(),
    });
    if (q.verify) {
      if (principal.tenantId !== undefined) throw new VerifyForbidden();
      return opts.audit.verify();
    }
    const afterSeq = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
    if (q.cursor !== undefined && afterSeq === undefined) throw new CursorInvalid();
    const filter: AuditFilter = {
      actor: q.actor, action: q.action, sessionId: q.sessionId, afterSeq,
      // A tenant's principal sees its tenant's records only, whatever it asks for.
      tenantId: principal.tenantId ?? q.tenantId, from: time('from', q.from), to: time('to', q.to),
    };
    if (q.format === 'json') return findPage(opts.audit.dir, filter, q.limit);
    const stamp = new Date().toISOString().slice(0, 10);
    reply.type(q.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson');
    reply.header('content-disposition', `attachment; filename="audit-${stamp}.${q.format}"`);
    // A stream is sent as is; the response schema describes the JSON answers only.
    return reply.send(Readable.from(lines(findRecords(opts.audit.dir, filter), q.format)) as never);
  });
}
