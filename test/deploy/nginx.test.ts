import t from 'tap';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { have, REPO_ROOT, runFile, tempDir } from './helpers.js';

const CONF = join(REPO_ROOT, 'deploy/nginx/aegis.conf');

/** The directives of the location block, as name -> arguments. */
function directives(text: string): Array<[string, string]> {
  return [...text.matchAll(/^\s*([a-z_]+)\s+([^;{]*);/gm)].map((m) => [m[1], m[2].trim()]);
}

t.test('the nginx site passes the guide\'s headers, WebSocket upgrades and unbuffered SSE to loopback', async (t) => {
  const d = directives(await readFile(CONF, 'utf8'));
  const has = (name: string, args: string) => t.ok(d.some(([n, a]) => n === name && a === args), `${name} ${args}`);
  has('listen', '443 ssl');
  has('proxy_pass', 'http://localhost:9100');
  has('proxy_http_version', '1.1');
  has('proxy_set_header', 'Upgrade $http_upgrade');
  has('proxy_set_header', "Connection 'upgrade'");
  has('proxy_set_header', 'Host $host');
  has('proxy_set_header', 'X-Real-IP $remote_addr');
  has('proxy_cache_bypass', '$http_upgrade');
  has('proxy_buffering', 'off');
  const read = d.find(([n]) => n === 'proxy_read_timeout');
  t.ok(read && /^\d+h$/.test(read[1]), 'a read timeout of hours, beyond the SSE heartbeat');
});

/** A backend that streams two SSE events with a gap it controls, and accepts WebSocket-style upgrades. */
async function backend(t: { teardown(fn: () => unknown): void }) {
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  const server = http.createServer(async (req, res) => {
    if (req.url === '/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write('event: first\ndata: 1\n\n');
      await gate;
      res.end('event: second\ndata: 2\n\n');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ host: req.headers.host, realIp: req.headers['x-real-ip'] }));
  });
  server.on('upgrade', (_req, socket) => {
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    socket.on('data', (b) => socket.write(Buffer.concat([Buffer.from('echo:'), b])));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => { server.closeAllConnections(); server.close(); });
  return { port: (server.address() as AddressInfo).port, release };
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

t.test('through a real nginx with this site, SSE events arrive one by one and a WebSocket upgrade goes through', async (t) => {
  if (!have('nginx') || !have('openssl')) {
    t.comment('skip: nginx or openssl is not installed (apt-get install nginx-light openssl)');
    return;
  }
  const dir = await tempDir('aegis-nginx-');
  await mkdir(join(dir, 'logs'));
  const cert = join(dir, 'aegis.crt');
  const key = join(dir, 'aegis.key');
  const ssl = await runFile('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=aegis.example.com']);
  t.equal(ssl.code, 0, ssl.stderr);
  const be = await backend(t);
  const port = await freePort();
  // The site as shipped, with only its addresses and certificate paths pointed at this test.
  const site = (await readFile(CONF, 'utf8'))
    .replace('listen 443 ssl;', `listen 127.0.0.1:${port} ssl;`)
    .replace('proxy_pass http://localhost:9100;', `proxy_pass http://127.0.0.1:${be.port};`)
    .replace('/etc/ssl/aegis.crt', cert).replace('/etc/ssl/aegis.key', key);
  await writeFile(join(dir, 'site.conf'), site);
  await writeFile(join(dir, 'nginx.conf'), `pid ${dir}/nginx.pid;\nerror_log ${dir}/logs/error.log;\nevents {}\nhttp {\n  access_log off;\n  client_body_temp_path ${dir}/body;\n  proxy_temp_path ${dir}/proxy;\n  include ${dir}/site.conf;\n}\n`);
  const check = await runFile('nginx', ['-t', '-p', dir, '-c', join(dir, 'nginx.conf')]);
  t.equal(check.code, 0, check.stderr);

  const nginx = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off; master_process off;'], { stdio: 'ignore' });
  t.teardown(async () => { if (nginx.exitCode === null) { nginx.kill('SIGTERM'); await once(nginx, 'exit'); } });
  const agent = new https.Agent({ rejectUnauthorized: false });
  const get = (path: string) => new Promise<http.IncomingMessage>((resolve, reject) => {
    https.get({ host: '127.0.0.1', port, path, agent, headers: { host: 'aegis.example.com' } }, resolve).on('error', reject);
  });
  let plain: http.IncomingMessage | undefined;
  for (let i = 0; i < 50 && !plain; i++) {
    plain = await get('/v1/health').catch(async () => { await new Promise((r) => setTimeout(r, 100)); return undefined; });
  }
  t.ok(plain, 'nginx answers');
  let body = '';
  for await (const c of plain!) body += c;
  t.same(JSON.parse(body), { host: 'aegis.example.com', realIp: '127.0.0.1' }, 'Host and X-Real-IP reach Aegis');

  const events = await get('/events');
  const it = events[Symbol.asyncIterator]();
  const first = String((await it.next()).value);
  t.match(first, /event: first/, 'the first event arrives while the backend still holds the second: no buffering');
  t.notMatch(first, /second/);
  be.release();
  let rest = '';
  for (let r = await it.next(); !r.done; r = await it.next()) rest += String(r.value);
  t.match(rest, /event: second/);

  const secure = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, servername: 'aegis.example.com' });
  const bound = setTimeout(() => secure.destroy(), 15000);
  await once(secure, 'secureConnect');
  secure.write('GET /v1/sessions/x/terminal HTTP/1.1\r\nHost: aegis.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
  let got = '';
  for await (const c of secure) {
    got += String(c);
    if (got.includes('\r\n\r\n') && !got.includes('echo:')) secure.write('ping');
    if (got.includes('echo:ping')) break;
  }
  clearTimeout(bound);
  t.match(got, /^HTTP\/1\.1 101 /, 'the upgrade is passed');
  t.match(got, /echo:ping/, 'bytes flow both ways after it');
  secure.destroy();
});
