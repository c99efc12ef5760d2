import t from 'tap';
import { createServer } from 'node:http';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FORWARDER, HTTP_HOOK_EVENTS, hookSettings, shellQuote, writeHookSettings, writeLaunchSettings } from './settings.js';
import { sandboxFor } from './start.js';
import { paste } from './keys.js';

t.test('HTTP hooks post to <hookUrl>/<Event> with the secret in a header, never in the URL, and decide nothing', async (t) => {
  const s = hookSettings('http://127.0.0.1:9/v1/hooks/abc', 'sekret', '/state/s/claude-hook-secret', '/usr/bin/node') as { hooks: Record<string, any[]> };
  for (const event of HTTP_HOOK_EVENTS) {
    const hook = s.hooks[event]![0].hooks[0];
    t.match(hook, { type: 'http', url: `http://127.0.0.1:9/v1/hooks/abc/${event}`, headers: { 'X-Aegis-Hook-Secret': 'sekret' } }, event);
    t.notMatch(hook.url, /sekret/);
  }
  t.equal(s.hooks.PreToolUse![0].matcher, '*');
  const start = s.hooks.SessionStart![0].hooks[0];
  t.equal(start.type, 'command', 'SessionStart takes no HTTP hook');
  t.notMatch(start.command, /sekret/, 'the secret stays off the command line');
  t.notMatch(JSON.stringify(s), /"decision"|"allow"|"behavior"/, 'no hook carries a permission decision');
});

/** The two context members writing settings uses, over a plain folder (no agent user). */
const agentFiles = (dir: string) => ({
  agentDir: dir,
  writeAgentFile: async (name: string, data: string) => { await writeFile(join(dir, name), data, { mode: 0o600 }); return join(dir, name); },
});

t.test('settings and secret files are private to the owner', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'aegis-cc-settings-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = await writeHookSettings(agentFiles(dir), 'http://127.0.0.1:1/v1/hooks/x', 'sekret');
  t.equal((await stat(file)).mode & 0o777, 0o600);
  t.equal((await stat(join(dir, 'claude-hook-secret'))).mode & 0o777, 0o600);
  t.match(JSON.parse(await readFile(file, 'utf8')), { hooks: { Stop: [{ hooks: [{ headers: { 'X-Aegis-Hook-Secret': 'sekret' } }] }] } });
});

t.test('the SessionStart forwarder posts stdin with the secret from its file and prints nothing', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'aegis-cc-fwd-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const got: Array<{ url?: string; secret?: string; body: string }> = [];
  const srv = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c)).on('end', () => { got.push({ url: req.url, secret: req.headers['x-aegis-hook-secret'] as string, body }); res.end('{}'); });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  t.teardown(() => srv.close());
  const url = `http://127.0.0.1:${(srv.address() as { port: number }).port}/v1/hooks/s1/SessionStart`;
  await writeHookSettings(agentFiles(dir), url, 'sekret');
  const child = spawn(process.execPath, [FORWARDER, url, join(dir, 'claude-hook-secret')], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  child.stdin.end('{"hook_event_name":"SessionStart","source":"startup"}');
  const [code] = await once(child, 'exit');
  t.equal(code, 0);
  t.equal(out, '', 'nothing reaches the model context');
  t.same(got, [{ url: '/v1/hooks/s1/SessionStart', secret: 'sekret', body: '{"hook_event_name":"SessionStart","source":"startup"}' }]);
});

t.test('the SessionStart forwarder exits 0 and prints nothing when Aegis cannot be reached', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'aegis-cc-fwd-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  // A port that was just free: nothing listens there.
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  await writeHookSettings(agentFiles(dir), `http://127.0.0.1:${port}/v1/hooks/s1`, 'sekret');
  const child = spawn(process.execPath, [FORWARDER, `http://127.0.0.1:${port}/v1/hooks/s1/SessionStart`, join(dir, 'claude-hook-secret')], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (out += c));
  child.stdin.end('{"hook_event_name":"SessionStart"}');
  const [code] = await once(child, 'exit');
  t.equal(code, 0);
  t.equal(out, '');
});

t.test('shell words and pastes cannot break out', async (t) => {
  t.equal(shellQuote("it's"), `'it'\\''s'`);
  t.equal(paste('a\r\nb\x1b[201~c'), '\x1b[200~a\nb[201~c\x1b[201~', 'CR never submits; ESC cannot end the paste');
});

t.test("a sandboxed launch turns Claude Code's sandbox on, failing closed, with Aegis's host allowed for the hooks", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'aegis-cc-sandbox-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = await writeLaunchSettings(agentFiles(dir), { hooks: { url: 'http://127.0.0.1:9100/v1/hooks/x', secret: 'sekret' }, sandbox: true });
  t.match(JSON.parse(await readFile(file!, 'utf8')), {
    sandbox: { enabled: true, failIfUnavailable: true, allowUnsandboxedCommands: false, network: { allowedDomains: ['127.0.0.1'] } },
    hooks: { Stop: [{ hooks: [{ type: 'http' }] }] },
  });
  const noHooks = await writeLaunchSettings(agentFiles(dir), { sandbox: true });
  t.same(JSON.parse(await readFile(noHooks!, 'utf8')), { sandbox: { enabled: true, failIfUnavailable: true, allowUnsandboxedCommands: false } });
  t.equal(await writeLaunchSettings(agentFiles(dir), { sandbox: false }), undefined, 'nothing to set, no file');
});

t.test('the sandbox switch of a tenant wins over the default', async (t) => {
  t.equal(sandboxFor('a', { enabled: false, tenants: { a: true } }), true);
  t.equal(sandboxFor('b', { enabled: true, tenants: { b: false } }), false);
  t.equal(sandboxFor(undefined, { enabled: true, tenants: {} }), true);
  t.equal(sandboxFor('c', { enabled: false, tenants: {} }), false);
});
