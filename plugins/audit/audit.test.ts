import t from 'tap';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { bearer } from '../../test/support/app.js';
import { DIST } from '../../test/support/paths.js';
import { CAT, createKey, testApp } from '../../test/support/app.js';
import type { AuditRecord } from './chain.js';
import { auditFiles } from './log.js';

const run = promisify(execFile);
const app = (t: { teardown(fn: () => unknown): void }, plugins: Record<string, unknown> = {}) => testApp(t, { plugins: { ...CAT, ...plugins } });

const audit = async (a: FastifyInstance, query = '', token?: string) =>
  a.inject({ method: 'GET', url: `/v1/audit${query}`, headers: bearer(token) });

function onDisk(a: FastifyInstance): AuditRecord[] {
  const dir = join(a.config.stateDir, 'audit');
  const name = `audit-${new Date().toISOString().slice(0, 10)}.jsonl`;
  return readFileSync(join(dir, name), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as AuditRecord);
}

t.test('the response to an audited action is sent only after its record is on disk', async (t) => {
  const a = await app(t);
  const failed = await a.inject({ method: 'GET', url: '/v1/sessions', headers: bearer('wrong-token-wrong-token-wrong') });
  t.equal(failed.statusCode, 401);
  t.match(onDisk(a).at(-1), { action: 'auth.failed', actor: 'anonymous', detail: { code: 'AEGIS_ERR_AUTH_INVALID_TOKEN', reason: 'unknown' } });
  const created = await a.inject({ method: 'POST', url: '/v1/auth/keys', headers: bearer(), payload: { name: 'k', role: 'viewer', tenantId: 'acme' } });
  t.match(onDisk(a).at(-1), { action: 'auth.key.created', actor: 'master', tenantId: 'acme', detail: { keyId: created.json().id } });
  t.notOk(JSON.stringify(onDisk(a)).includes(created.json().key), 'the key itself is not recorded');
});

t.test('session create, send and kill are recorded with the session and its tenant', async (t) => {
  const a = await app(t);
  const op = await createKey(a, { name: 'op', role: 'operator', tenantId: 'acme' });
  const work = await mkdtemp(join(tmpdir(), 'aegis-audit-work-'));
  t.teardown(() => rm(work, { recursive: true, force: true }));
  const id = (await a.inject({ method: 'POST', url: '/v1/sessions', headers: bearer(op.key), payload: { workDir: work, agent: 'command' } })).json().id;
  t.match(onDisk(a).at(-1), { action: 'session.created', actor: op.id, tenantId: 'acme', sessionId: id });
  await a.inject({ method: 'POST', url: `/v1/sessions/${id}/send`, headers: bearer(op.key), payload: { text: 'secret plans' } });
  t.match(onDisk(a).at(-1), { action: 'session.message-sent', actor: op.id, sessionId: id, detail: { delivered: true } });
  t.notOk(JSON.stringify(onDisk(a)).includes('secret plans'), 'message texts are not recorded');
  await a.inject({ method: 'DELETE', url: `/v1/sessions/${id}`, headers: bearer(op.key) });
  t.ok(onDisk(a).some((r) => r.action === 'session.killed' && r.sessionId === id && r.actor === op.id));
  const denied = await a.inject({ method: 'GET', url: '/v1/auth/keys', headers: bearer(op.key) });
  t.equal(denied.statusCode, 403);
  t.match(onDisk(a).at(-1), { action: 'auth.denied', actor: op.id, tenantId: 'acme', detail: { permission: 'admin' } });
});

t.test('records are filtered, paged by cursor, and tenants see only their own', async (t) => {
  const a = await app(t);
  const acme = await createKey(a, { name: 'acme-admin', role: 'admin', tenantId: 'acme' });
  for (let i = 0; i < 7; i++) await a.audit.record({ actor: i % 2 ? 'alice' : 'bob', tenantId: i < 5 ? 'acme' : 'other', action: `test.${i % 3}`, sessionId: `s${i}`, detail: { i } });
  t.same((await audit(a, '?actor=alice&action=test.*')).json().records.map((r: AuditRecord) => r.detail.i), [1, 3, 5]);
  t.same((await audit(a, '?sessionId=s4')).json().records.map((r: AuditRecord) => r.detail.i), [4]);
  t.same((await audit(a, '?tenantId=other')).json().records.map((r: AuditRecord) => r.detail.i), [5, 6]);
  t.equal((await audit(a, `?to=${encodeURIComponent('2000-01-01T00:00:00Z')}`)).json().records.length, 0);
  t.equal((await audit(a, `?from=${encodeURIComponent(new Date(Date.now() - 60_000).toISOString())}&action=test.*`)).json().records.length, 7);
  const seen: number[] = [];
  let cursor = '';
  for (let page = 0; page < 10; page++) {
    const body = (await audit(a, `?action=test.*&limit=3${cursor}`)).json();
    seen.push(...body.records.map((r: AuditRecord) => r.detail.i as number));
    if (!body.nextCursor) break;
    cursor = `&cursor=${body.nextCursor}`;
  }
  t.same(seen, [0, 1, 2, 3, 4, 5, 6], 'pages cover every record once, in order');
  t.equal((await audit(a, '?cursor=bm9wZQ')).json().code, 'AEGIS_ERR_AUDIT_CURSOR_INVALID');
  t.equal((await audit(a, '?from=yesterday')).json().code, 'AEGIS_ERR_AUDIT_TIME_INVALID');
  const mine = (await audit(a, '?tenantId=other', acme.key)).json().records as AuditRecord[];
  t.ok(mine.length > 0);
  t.ok(mine.every((r) => r.tenantId === 'acme'), 'asking for another tenant still answers only its own');
  const verify = await audit(a, '?verify=true', acme.key);
  t.equal(verify.statusCode, 403);
  t.equal(verify.json().code, 'AEGIS_ERR_AUDIT_VERIFY_FORBIDDEN');
});

t.test('records export as NDJSON and CSV', async (t) => {
  const a = await app(t);
  await a.audit.record({ actor: 'x', action: 'export.test', detail: { note: '=HYPERLINK("evil")', quote: 'a "b", c' } });
  await a.audit.record({ actor: 'y', action: 'export.test', detail: {} });
  const nd = await audit(a, '?action=export.test&format=ndjson');
  t.equal(nd.statusCode, 200);
  t.match(nd.headers['content-type'], /application\/x-ndjson/);
  t.equal(nd.headers['cache-control'], 'no-store');
  t.same(nd.body.trim().split('\n').map((l) => JSON.parse(l).actor), ['x', 'y']);
  const csv = await audit(a, '?action=export.test&format=csv');
  t.match(csv.headers['content-type'], /text\/csv/);
  t.match(csv.headers['content-disposition'], /attachment; filename="audit-\d{4}-\d{2}-\d{2}\.csv"/);
  const rows = csv.body.trim().split('\r\n');
  t.equal(rows[0], 'seq,ts,actor,tenantId,action,sessionId,detail,prevHash,hash');
  t.equal(rows.length, 3);
  t.match(rows[1], /,x,,export\.test,,"\{""note"":""=HYPERLINK\(\\""evil\\""\)"",""quote"":""a \\""b\\"", c""\}",/);
});

t.test('1,000 concurrent actions through the server leave a chain that verifies', async (t) => {
  const a = await app(t, { auth: { failureLimit: 100_000 } });
  const actions = Array.from({ length: 1000 }, (_, i) => i % 2
    ? a.inject({ method: 'GET', url: '/v1/sessions', headers: bearer(`wrong-token-${i}-0123456789abc`) }).then((r) => r.statusCode)
    : a.audit.record({ actor: 'load', action: 'load.test', detail: { i } }).then(() => 0));
  const statuses = await Promise.all(actions);
  t.equal(statuses.filter((s) => s === 401).length, 500);
  const report = (await audit(a, '?verify=true')).json();
  // 500 direct records, the first failed login of the window (the other 499 are one counted
  // record once the window closes), and the verify request itself.
  t.match(report, { ok: true, records: 502, files: 1 });
});

t.test('repeated failed logins from one address become one counted record per window', async (t) => {
  const a = await app(t, { auth: { failureLimit: 100_000 } });
  for (let i = 0; i < 30; i++) await a.inject({ method: 'GET', url: '/v1/sessions', headers: bearer(`wrong-token-${i}-0123456789abc`) });
  t.equal(onDisk(a).filter((r) => r.action === 'auth.failed').length, 1, 'the first failure is on disk before its 401');
  await a.close();
  const repeated = onDisk(a).filter((r) => r.action === 'auth.failed.repeated');
  t.equal(repeated.length, 1);
  t.match(repeated[0].detail, { count: 29, ip: '127.0.0.1' });
});

t.test('ag audit verify exits 0 for an intact chain and 1 naming the broken line', async (t) => {
  const a = await app(t);
  for (let i = 0; i < 5; i++) await a.audit.record({ actor: 'cli', action: 'cli.test', detail: { i } });
  await a.close();
  const stateDir = a.config.stateDir;
  const ag = join(DIST, 'bin', 'ag.js');
  const ok = await run(process.execPath, [ag, 'audit', 'verify', '--json', '--state-dir', stateDir]);
  t.match(JSON.parse(ok.stdout), { ok: true, records: 5, files: 1, head: { seq: 5 } });
  const [file] = await auditFiles(join(stateDir, 'audit'));
  const path = join(stateDir, 'audit', file);
  const lines = (await readFile(path, 'utf8')).split('\n');
  lines[2] = lines[2].replace('"cli"', '"mallory"');
  await writeFile(path, lines.join('\n'));
  const broken = await run(process.execPath, [ag, 'audit', 'verify', '--json', '--state-dir', stateDir]).then(() => undefined, (e: { code: number; stdout: string }) => e);
  t.equal(broken?.code, 1);
  t.match(JSON.parse(broken!.stdout), { ok: false, firstBroken: { file, line: 3, seq: 3, reason: 'hash' } });
});

t.test('an action whose audit record cannot be written is answered 500 AUDIT_WRITE_FAILED', async (t) => {
  const a = await app(t);
  // The day's file cannot be opened for appending when a folder stands in its place.
  const { mkdir } = await import('node:fs/promises');
  await mkdir(join(a.config.stateDir, 'audit', `audit-${new Date().toISOString().slice(0, 10)}.jsonl`), { recursive: true });
  const res = await a.inject({ method: 'POST', url: '/v1/auth/keys', headers: bearer(), payload: { name: 'k', role: 'viewer' } });
  t.equal(res.statusCode, 500);
  t.equal(res.json().code, 'AEGIS_ERR_AUDIT_WRITE_FAILED');
  t.notOk(res.body.includes('aegis_'), 'the created key is not handed out without its record');
  const read = await a.inject({ method: 'GET', url: '/v1/auth/whoami', headers: bearer() });
  t.equal(read.statusCode, 200, 'a request that records nothing is not affected');
});
