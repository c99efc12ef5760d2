/**
 * The dashboard: bundle size (gzip) of the first page and of the lazy terminal chunk, and the time
 * from pressing "Sign in" to the first rendered list of 200 sessions in real headless Chromium
 * (the app's `aegis:list-ready` mark; it includes whoami, the event-route discovery and the list
 * request). Targets: under 150 KB gzip for the first page, under 200 ms to the list.
 * Prints figures; asserts nothing. Needs `npm run build` (the bundle) and /usr/bin/chromium.
 *
 *   npm run build && node dist/bench/dashboard.js [sessions]
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import pino from 'pino';
import { chromium } from 'playwright-core';
import { buildApp } from '../kernel/app.js';
import { loadConfig } from '../kernel/config/load.js';
import { catalogue } from '../plugins/index.js';
import '../plugins/sessions/index.js';

const N = Number(process.argv[2] ?? 200);
const RUNS = 7;
const TOKEN = 'bench-token-0123456789abcdef0123456';
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DIST = join(ROOT, 'dashboard', 'dist');
const CHROMIUM = process.env.AEGIS_CHROMIUM ?? '/usr/bin/chromium';

if (!existsSync(join(DIST, 'index.html'))) {
  process.stdout.write('dashboard bundle not built; run npm run build\n');
  process.exit(0);
}

// Sizes: the entry chunk (and anything index.html loads) is the first page; the rest loads later.
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const gz = (file: string) => gzipSync(readFileSync(file), { level: 9 }).length;
const html = readFileSync(join(DIST, 'index.html'), 'utf8');
const assets = readdirSync(join(DIST, 'assets'));
const first = assets.filter((a) => html.includes(`assets/${a}`));
const firstGz = first.reduce((n, a) => n + gz(join(DIST, 'assets', a)), gz(join(DIST, 'index.html')));
const allGz = assets.reduce((n, a) => n + gz(join(DIST, 'assets', a)), gz(join(DIST, 'index.html')));
process.stdout.write(`bundle, first page (index.html + ${first.join(', ')}): ${kb(firstGz)} gzip (target < 150 KB)\n`);
process.stdout.write(`bundle, everything incl. the lazy terminal chunk:   ${kb(allGz)} gzip\n`);

if (!existsSync(CHROMIUM)) {
  process.stdout.write(`no Chromium at ${CHROMIUM}; list timing skipped\n`);
  process.exit(0);
}

const stateDir = await mkdtemp(join(tmpdir(), 'aegis-bench-state-'));
const work = await mkdtemp(join(tmpdir(), 'aegis-bench-work-'));
const config = await loadConfig({ env: { AEGIS_HOST: '127.0.0.1', AEGIS_STATE_DIR: stateDir, AEGIS_AUTH_TOKEN: TOKEN, AEGIS_PORT: '0' }, cwd: work, home: work });
config.plugins = {
  sessions: { maxSessions: N + 10, killGraceMs: 500, recordingMaxBytes: 0 },
  command: { command: 'cat', quietMs: 200 },
};
const app = await buildApp(config, {
  catalogue: { openapi: catalogue.openapi, auth: catalogue.auth, sessions: catalogue.sessions, command: catalogue.command, dashboard: catalogue.dashboard },
  logger: pino({ level: 'silent' }),
});
await app.listen({ host: '127.0.0.1', port: 0 });
const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
const auth = { authorization: `Bearer ${TOKEN}` };

// N sessions with a mix of states: half are stopped again, so the list shows idle and exited rows.
for (let i = 0; i < N; i++) {
  const res = await app.inject({ method: 'POST', url: '/v1/sessions', headers: auth, payload: { workDir: work, agent: 'command', name: `bench-${i}`, reuse: false } });
  const id = (res.json() as { id: string }).id;
  if (i % 2) await app.inject({ method: 'DELETE', url: `/v1/sessions/${id}`, headers: auth });
}

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const times: number[] = [];
try {
  const page = await (await browser.newContext({ viewport: { width: 1440, height: 960 } })).newPage();
  for (let run = 0; run < RUNS; run++) {
    await page.goto(`${base}/dashboard/`);
    await page.getByLabel('API token').fill(TOKEN);
    await page.evaluate(() => {
      window.addEventListener('click', () => performance.mark('bench:submit'), { capture: true, once: true });
    });
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('aegis-session-list tbody tr').nth(N - 1).waitFor({ timeout: 30000 });
    times.push(await page.evaluate(() => performance.measure('list', 'bench:submit', 'aegis:list-ready').duration));
  }
} finally {
  await browser.close();
  await app.close();
  await rm(stateDir, { recursive: true, force: true });
  await rm(work, { recursive: true, force: true });
}
const sorted = [...times].sort((a, b) => a - b);
process.stdout.write(`sign-in to first list of ${N} sessions (${RUNS} runs, first is cold): ` +
  `median ${sorted[Math.floor(RUNS / 2)]!.toFixed(1)} ms, best ${sorted[0]!.toFixed(1)} ms, worst ${sorted[RUNS - 1]!.toFixed(1)} ms (target < 200 ms)\n`);
