import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { reply } from '../support/model-server.js';
import { AG, inState, makeCliWorld } from './cli-world.js';

const cw = await makeCliWorld(t);
const { ag, world } = cw;
const writeCommand = (file: string) => `node -e "require('fs').writeFileSync('${file}','x')"`;

/** The one line `ag` prints on a failure: `ag: <message> [<CODE>]`, never a stack. */
function failure(t: { equal: (...a: any[]) => void; match: (...a: any[]) => void; notMatch: (...a: any[]) => void }, r: { code: number; stdout: string; stderr: string }, exit: number, code: string) {
  t.equal(r.code, exit, `exit ${exit}: ${r.stderr}`);
  t.match(r.stderr, new RegExp(`^ag: .+ \\[${code}\\]`));
  t.equal(r.stderr.trim().split('\n').length, 1, 'one line');
  t.notMatch(r.stderr, /\n\s+at /, 'no stack trace');
}

t.test('ls shows no sessions on a fresh server, in words and as JSON', async (t) => {
  const human = await ag(['ls']);
  t.equal(human.code, 0, human.stderr);
  t.equal(human.stdout, 'no sessions\n');
  const json = await ag(['ls', '--json']);
  t.match(JSON.parse(json.stdout), { sessions: [], total: 0 });
});

let id = '';
const work = world.trusted[0]!;
const first = 'cli: say hello';

t.test('create starts a real Claude Code session; tail follows it to its answer; show and ls list it', async (t) => {
  world.conversations.script(first, [reply.text('hello from the model'), reply.bash(writeCommand('approved.txt'), 'Write approved.txt'), reply.text('wrote it'), reply.bash(writeCommand('rejected.txt'), 'Write rejected.txt'), reply.text('fine, not writing')]);
  const created = await ag(['create', first, '--cwd', work, '--json']);
  t.equal(created.code, 0, created.stderr);
  const session = JSON.parse(created.stdout);
  id = session.id;
  t.match(session, { agent: 'claude-code', workDir: work, reused: false, owner: { principalId: 'master' } });

  const answer = await cw.tailUntil(id, (l) => l.type === 'transcript' && l.entry.role === 'assistant' && /hello from the model/.test(l.entry.text));
  t.match(answer, { sessionId: id, entry: { role: 'assistant' } });
  await cw.tailUntil(id, inState('idle'));

  const show = await ag(['show', id]);
  t.equal(show.code, 0, show.stderr);
  t.match(show.stdout, new RegExp(`^id:\\s+${id}$`, 'm'));
  t.match(show.stdout, /^status:\s+idle /m);
  t.match(show.stdout, new RegExp(`^workDir:\\s+${work}$`, 'm'));
  t.match(JSON.parse((await ag(['show', id, '--json'])).stdout), { id, status: 'idle' });

  const ls = await ag(['ls']);
  t.match(ls.stdout, /^ID\s+NAME\s+AGENT\s+STATUS\s+ACTIVE\s+WORKDIR$/m);
  t.match(ls.stdout, new RegExp(`^${id}\\s+-\\s+claude-code\\s+idle\\s+`, 'm'));
  t.same(JSON.parse((await ag(['ls', '--json', '--status', 'idle'])).stdout).sessions.map((s: any) => s.id), [id]);
});

t.test('tail prints the transcript and states in words and stops cleanly on Ctrl-C', async (t) => {
  const child = spawn(process.execPath, [AG, 'tail', id, '--from-start'], { env: { ...process.env, ...cw.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const seen = new Promise<void>((resolve) => createInterface({ input: child.stdout! }).on('line', (l) => {
    lines.push(l);
    if (/^assistant: hello from the model/.test(l)) resolve();
  }));
  await seen;
  const exit = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  child.kill('SIGINT');
  t.equal(await exit, 0, 'Ctrl-C ends it with 0');
  t.ok(lines.some((l) => l.startsWith(`user: ${first}`)), 'the brief');
  t.ok(lines.some((l) => /^\[idle/.test(l)), 'the state');
});

t.test('send, then approve lets the command run; reject refuses the next one', async (t) => {
  const sent = await ag(['send', id, 'now', 'write', 'it']);
  t.equal(sent.code, 0, sent.stderr);
  t.equal(sent.stdout, `delivered to ${id}\n`);
  await cw.tailUntil(id, inState('permission_prompt'));
  const show = await ag(['show', id]);
  t.match(show.stdout, /waiting for approval: Bash .*approved\.txt/);
  t.match(show.stdout, /^ {2}1\. Yes$/m);
  const approved = await ag(['approve', id]);
  t.equal(approved.code, 0, approved.stderr);
  t.equal(approved.stdout, `approved ${id}\n`);
  await cw.tailUntil(id, (l) => l.type === 'transcript' && /wrote it/.test(l.entry.text));
  await cw.tailUntil(id, inState('idle'));
  t.ok(existsSync(join(work, 'approved.txt')), 'the approved command ran');

  t.equal((await ag(['send', id, 'and another', '--json'])).code, 0);
  await cw.tailUntil(id, inState('permission_prompt'));
  const rejected = await ag(['reject', id, '--json']);
  t.equal(rejected.code, 0, rejected.stderr);
  t.same(JSON.parse(rejected.stdout), { ok: true });
  await cw.tailUntil(id, inState('idle'));
  t.notOk(existsSync(join(work, 'rejected.txt')), 'the rejected command never ran');
});

t.test('a refused action prints the server\'s code in one line and exits 1; --json puts it on stderr as JSON', async (t) => {
  failure(t, await ag(['approve', id]), 1, 'AEGIS_ERR_SESSION_NOTHING_PENDING');
  t.match((await ag(['approve', id])).stderr, /\(HTTP 409\)/);
  const json = await ag(['approve', id, '--json']);
  t.equal(json.code, 1);
  t.match(JSON.parse(json.stderr), { error: { code: 'AEGIS_ERR_SESSION_NOTHING_PENDING', status: 409 } });
  failure(t, await ag(['show', 'no-such-session']), 1, 'AEGIS_ERR_SESSION_NOT_FOUND');
  failure(t, await ag(['create', 'x', '--cwd', join(work, 'missing')]), 1, 'AEGIS_ERR_SESSION_WORKDIR_NOT_FOUND');
  failure(t, await ag(['ls'], { AEGIS_AUTH_TOKEN: 'wrong-token-0123456789abcdef' }), 1, 'AEGIS_ERR_AUTH_INVALID_TOKEN');
});

t.test('keys create, ls and revoke; a viewer key may list but not create, and a revoked key is refused', async (t) => {
  const created = await ag(['keys', 'create', '--name', 'ci-viewer', '--role', 'viewer', '--json']);
  t.equal(created.code, 0, created.stderr);
  const key = JSON.parse(created.stdout);
  t.match(key, { name: 'ci-viewer', role: 'viewer', status: 'active', key: /^aegis_/ });
  const human = await ag(['keys', 'create', '--name', 'shown-once']);
  t.match(human.stdout, /^created key \S+ \(operator\)\naegis_\S+\nstore it now/);
  const ls = await ag(['keys', 'ls']);
  t.match(ls.stdout, new RegExp(`^${key.id}\\s+ci-viewer\\s+viewer\\s+-\\s+active\\s+never$`, 'm'));
  t.notMatch(ls.stdout, /aegis_/, 'never a secret in the list');
  const asViewer = { AEGIS_AUTH_TOKEN: key.key };
  t.equal((await ag(['ls', '--json'], asViewer)).code, 0, 'a viewer may read');
  failure(t, await ag(['create', 'nope', '--cwd', work], asViewer), 1, 'AEGIS_ERR_AUTH_FORBIDDEN');
  const revoked = await ag(['keys', 'revoke', key.id]);
  t.equal(revoked.code, 0, revoked.stderr);
  t.equal(revoked.stdout, `revoked ${key.id}\n`);
  failure(t, await ag(['ls'], asViewer), 1, 'AEGIS_ERR_AUTH_INVALID_TOKEN');
  t.match(JSON.parse((await ag(['keys', 'ls', '--json'])).stdout).keys.find((k: any) => k.id === key.id), { status: 'revoked' });
});

t.test('interrupt and kill end the agent\'s work; the session stays listed as exited', async (t) => {
  const interrupted = await ag(['interrupt', id]);
  t.equal(interrupted.code, 0, interrupted.stderr);
  t.equal(interrupted.stdout, `interrupted ${id}\n`);
  const killed = await ag(['kill', id]);
  t.equal(killed.code, 0, killed.stderr);
  t.match(killed.stdout, new RegExp(`^(ending ${id} \\(its processes are being stopped\\)|killed ${id})\n$`), 'ending, or killed when it was that quick');
  const waited = await ag(['kill', id, '--wait']);
  t.equal(waited.code, 0, waited.stderr);
  t.equal(waited.stdout, `killed ${id}\n`, '--wait answers once it is gone');
  t.match(JSON.parse((await ag(['show', id, '--json'])).stdout), { status: 'exited' });
  failure(t, await ag(['send', id, 'hello?']), 1, 'AEGIS_ERR_SESSION_EXITED');
});

t.test('audit export streams the records and audit verify finds the chain intact', async (t) => {
  const exported = await ag(['audit', 'export']);
  t.equal(exported.code, 0, exported.stderr);
  const actions = exported.stdout.trim().split('\n').map((l) => JSON.parse(l).action);
  for (const a of ['session.created', 'permission.approved', 'permission.rejected', 'auth.key.created', 'auth.key.revoked', 'session.killed']) t.ok(actions.includes(a), a);
  const csv = await ag(['audit', 'export', '--format', 'csv', '--action', 'session.*']);
  t.match(csv.stdout.split('\n')[0], /seq/);
  t.notMatch(csv.stdout, /auth\.key\.created/, 'the filter reaches the server');
  const verify = await ag(['audit', 'verify']);
  t.equal(verify.code, 0, verify.stderr);
  t.match(verify.stdout, /^intact: \d+ records in 1 files/);
  t.match(JSON.parse((await ag(['audit', 'verify', '--json'])).stdout), { ok: true });
});

