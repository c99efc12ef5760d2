import t from 'tap';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { bearer } from '../../test/support/app.js';
import { CAT, createKey, testApp } from '../../test/support/app.js';
import { waitState } from '../../test/support/wait.js';
import type { AuditRecord } from './chain.js';

let a: FastifyInstance;
let work: string;
let op: { id: string; key: string };
let stranger: { id: string; key: string };
let id: string;

t.before(async () => {
  a = await testApp(t, { plugins: { ...CAT } });
  work = await mkdtemp(join(tmpdir(), 'aegis-audit-cover-'));
  op = await createKey(a, { name: 'op', role: 'operator', tenantId: 'acme' });
  stranger = await createKey(a, { name: 'stranger', role: 'admin', tenantId: 'other' });
  id = (await a.inject({ method: 'POST', url: '/v1/sessions', headers: bearer(op.key), payload: { workDir: work, agent: 'command' } })).json().id;
  // Only an idle session is reused; the first row needs it there.
  await waitState(a, id, 'idle');
});
t.teardown(() => rm(work, { recursive: true, force: true }));

const records = async (): Promise<AuditRecord[]> => {
  await a.audit.idle();
  const out: AuditRecord[] = [];
  for await (const r of a.audit.find({})) out.push(r);
  return out;
};

type Expected = Partial<AuditRecord> & { action: string };
type Row = [what: string, act: () => Promise<unknown>, expected: () => Expected];
// In an order the echo agent survives: Ctrl-C ends it, so interrupt and kill come last.
const rows: Row[] = [
  ['a create that reuses an idle session', () => a.inject({ method: 'POST', url: '/v1/sessions', headers: bearer(op.key), payload: { workDir: work, agent: 'command' } }),
    () => ({ action: 'session.reused', actor: op.id, sessionId: id, tenantId: 'acme' })],
  ['a send', () => a.inject({ method: 'POST', url: `/v1/sessions/${id}/send`, headers: bearer(op.key), payload: { text: 'hello' } }),
    () => ({ action: 'session.message-sent', actor: op.id })],
  ['an escape', () => a.inject({ method: 'POST', url: `/v1/sessions/${id}/escape`, headers: bearer(op.key) }), () => ({ action: 'session.escape', actor: op.id })],
  ['a transcript read', () => a.inject({ method: 'GET', url: `/v1/sessions/${id}/transcript`, headers: bearer(op.key) }),
    () => ({ action: 'session.transcript.read', actor: op.id, sessionId: id })],
  ['a transcript cursor read', () => a.inject({ method: 'GET', url: `/v1/sessions/${id}/transcript/cursor`, headers: bearer(op.key) }),
    () => ({ action: 'session.transcript.read', actor: op.id })],
  ["another tenant's lookup answered 404", () => a.inject({ method: 'GET', url: `/v1/sessions/${id}`, headers: bearer(stranger.key) }),
    () => ({ action: 'session.lookup.denied', actor: stranger.id, tenantId: null })],
  ['an audit read', () => a.inject({ method: 'GET', url: '/v1/audit?action=session.*', headers: bearer() }), () => ({ action: 'audit.read', actor: 'master' })],
  ['an audit export', () => a.inject({ method: 'GET', url: '/v1/audit?format=ndjson', headers: bearer() }), () => ({ action: 'audit.exported' })],
  ['an audit verify', () => a.inject({ method: 'GET', url: '/v1/audit?verify=true', headers: bearer() }), () => ({ action: 'audit.verified' })],
  ['a hook call with a wrong secret', () => a.inject({ method: 'POST', url: `/v1/hooks/${id}/Stop`, headers: { 'x-aegis-hook-secret': 'nope' }, payload: {} }),
    () => ({ action: 'hook.rejected', actor: 'anonymous' })],
  ['an interrupt', () => a.inject({ method: 'POST', url: `/v1/sessions/${id}/interrupt`, headers: bearer(op.key) }), () => ({ action: 'session.interrupt', actor: op.id })],
  ['a kill', async () => {
    const other = (await a.inject({ method: 'POST', url: '/v1/sessions', headers: bearer(op.key), payload: { workDir: work, agent: 'command', reuse: false } })).json().id;
    return a.inject({ method: 'DELETE', url: `/v1/sessions/${other}`, headers: bearer(op.key) });
  }, () => ({ action: 'session.killed', actor: op.id })],
];

for (const [what, act, expect] of rows) {
  t.test(`${what} leaves an audit record`, async (t) => {
    const expected = expect();
    const before = (await records()).length;
    await act();
    const added = (await records()).slice(before);
    t.ok(added.some((r) => r.action === expected.action), `added: ${added.map((r) => r.action).join(', ')}`);
    t.match(added.find((r) => r.action === expected.action), expected);
  });
}

t.test('an ACP agent\'s file writes and terminal commands are audited', async (t) => {
  const { acpApp, fixture, removeAll, scratch } = await import('../../test/support/acp.js');
  const { waitState } = await import('../../test/support/wait.js');
  const state = await scratch('aegis-audit-acp-');
  const acpWork = await scratch('aegis-audit-acp-work-');
  const { app: b, call } = await acpApp(state, { ...fixture('acp-agent'), requestTimeoutMs: 5000 });
  t.teardown(async () => { await b.close(); await removeAll(state, acpWork); });
  const id = (await call('POST', '/v1/sessions', { agent: 'acp', workDir: acpWork })).json.id as string;
  await waitState(b, id, 'idle');
  await call('POST', `/v1/sessions/${id}/send`, { text: `write ${join(acpWork, 'a.txt')} hello` });
  await waitState(b, id, 'permission_prompt');
  await call('POST', `/v1/sessions/${id}/approve`);
  await waitState(b, id, 'idle');
  await call('POST', `/v1/sessions/${id}/send`, { text: 'run echo hi' });
  await waitState(b, id, 'permission_prompt');
  await call('POST', `/v1/sessions/${id}/approve`);
  await waitState(b, id, 'idle');
  await b.audit.idle();
  const agentRecords: AuditRecord[] = [];
  for await (const r of b.audit.find({ sessionId: id })) if (r.action.startsWith('agent.')) agentRecords.push(r);
  t.match(agentRecords, [
    { action: 'agent.file.written', actor: 'agent', detail: { path: join(acpWork, 'a.txt'), bytes: 5 } },
    { action: 'agent.command.started', actor: 'agent', detail: { command: 'echo', args: ['hi'] } },
  ]);
  t.equal(agentRecords.length, 2);
});
