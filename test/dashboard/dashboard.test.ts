import t from 'tap';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { startServer, type ServerProcess } from '../support/server-process.js';
import { TEST_TOKEN } from '../support/app.js';
import { reply } from '../support/model-server.js';
import { makeWorld, scratch, STATE_MS } from '../claude-code/world.js';
import { go, launch, screenshot, signIn, skipReason, waitTerm, watch, type Watch } from './browser.js';

/** The deployment guide's dashboard CSP, byte for byte. */
const GUIDE_CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self' ws: wss: https://registry.npmjs.org; frame-ancestors 'none'; frame-src 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";
const writeCommand = (file: string) => `node -e "require('fs').writeFileSync('${file}','x')"`;

const why = skipReason();
if (why) {
  t.comment(`skipped: ${why}`);
  t.pass(`skipped: ${why}`);
} else {
  await run();
}

async function run() {
  const world = await makeWorld(t, 4);
  const cwd = await scratch('aegis-dash-proj-');
  await writeFile(join(cwd, 'aegis.config.json'), JSON.stringify({
    version: 1, plugins: { sessions: { killGraceMs: 2000 }, 'claude-code': { env: world.env } },
  }));
  const server: ServerProcess = await startServer({ cwd, env: { AEGIS_AUTH_TOKEN: TEST_TOKEN, AEGIS_LOG_LEVEL: 'info' } });
  t.teardown(() => server.stop());
  const api = async (method: string, path: string, body?: unknown, token = TEST_TOKEN) => {
    const res = await fetch(`${server.url}${path}`, {
      method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: await res.json() as any };
  };
  const viewerKey = (await api('POST', '/v1/auth/keys', { name: 'watcher', role: 'viewer' })).json.key as string;
  const origin = server.url;
  const home = `${origin}/dashboard/`;

  const browser: Browser = await launch();
  t.teardown(() => browser.close());
  const context = await browser.newContext({ viewport: { width: 1440, height: 960 } });
  const seen: Watch = watch(context, origin);
  const page = await context.newPage();

  /** Serious or critical accessibility violations on the page as it is now. */
  const axe = async (p: Page) => (await new AxeBuilder({ page: p }).analyze()).violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  const state = (p: Page, name: string, s: string) => p.getByRole('row', { name: new RegExp(name) }).locator('aegis-state-badge', { hasText: s }).waitFor({ timeout: STATE_MS });
  const badge = (p: Page, s: string) => p.locator('aegis-session-detail .head aegis-state-badge', { hasText: s }).waitFor({ timeout: STATE_MS });

  const first = 'dash: say hello';
  let id = '';

  await t.test('the page carries the guide\'s CSP; sign in, create from the form, see it turn idle live, then send and see the reply', async (t) => {
    const res = await page.goto(home);
    t.equal(res?.headers()['content-security-policy'], GUIDE_CSP, 'CSP byte for byte');
    t.same(await axe(page), [], 'login page: no serious accessibility violation');
    await signIn(page, TEST_TOKEN);
    await page.evaluate(() => { (window as unknown as { stayed: boolean }).stayed = true; });

    world.conversations.script(first, [reply.text('hello from the model'), reply.text('second answer arrived')]);
    await page.getByRole('link', { name: 'New session' }).first().click();
    await page.getByLabel('Work directory').fill(world.trusted[0]!);
    await page.getByLabel('Prompt').fill(first);
    await page.getByLabel('Permission mode').selectOption('default');
    await page.getByLabel('Agent').selectOption('claude-code');
    await page.getByLabel('Name').fill('dash-one');
    t.same(await axe(page), [], 'new-session page: no serious accessibility violation');
    await page.getByRole('button', { name: 'Create session' }).click();
    await page.waitForURL(/\/dashboard\/sessions\//);
    id = page.url().split('/').pop()!;

    await page.getByRole('link', { name: 'Sessions', exact: true }).click();
    await page.getByRole('link', { name: 'dash-one' }).waitFor();
    await state(page, 'dash-one', 'idle');
    t.pass('the row turned idle without a reload');
    t.same(await axe(page), [], 'list page: no serious accessibility violation');
    await screenshot(page, 'sessions-list');

    await page.getByRole('link', { name: 'dash-one' }).click();
    await waitTerm(page, 'aegis-terminal', 'hello from the model');
    await page.getByLabel('Message').fill('and now a second message');
    await page.getByRole('button', { name: 'Send' }).click();
    await waitTerm(page, 'aegis-terminal', 'second answer arrived');
    await page.locator('aegis-transcript', { hasText: 'second answer arrived' }).waitFor({ timeout: STATE_MS });
    t.pass('the reply is in the terminal and the transcript');
    t.equal(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed), true, 'no reload happened');
    t.same(await axe(page), [], 'detail page: no serious accessibility violation');
  });

  await t.test('a permission prompt shows as a banner naming the command; Approve runs it', async (t) => {
    const work = world.trusted[1]!;
    const prompt = 'dash: write approved.txt';
    world.conversations.script(prompt, [reply.bash(writeCommand('approved.txt'), 'Write approved.txt'), reply.text('wrote it')]);
    const created = await api('POST', '/v1/sessions', { workDir: work, prompt, name: 'dash-approve' });
    await go(page, `/dashboard/sessions/${created.json.id}`);
    const banner = page.getByRole('region', { name: 'Permission request' });
    await banner.filter({ hasText: "approved.txt" }).waitFor({ timeout: STATE_MS });
    t.match(await banner.textContent(), /Bash/);
    t.notOk(existsSync(join(work, 'approved.txt')), 'nothing ran before the approval');
    t.same(await axe(page), [], 'detail page with banner: no serious accessibility violation');
    await screenshot(page, 'session-permission');
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.locator('aegis-transcript', { hasText: 'wrote it' }).waitFor({ timeout: STATE_MS });
    await badge(page, 'idle');
    t.ok(existsSync(join(work, 'approved.txt')), 'the approved command ran');
  });

  await t.test('Reject answers No: the command never runs', async (t) => {
    const work = world.trusted[2]!;
    const prompt = 'dash: write rejected.txt';
    world.conversations.script(prompt, [reply.bash(writeCommand('rejected.txt'), 'Write rejected.txt'), reply.text('fine')]);
    const created = await api('POST', '/v1/sessions', { workDir: work, prompt, name: 'dash-reject' });
    await go(page, `/dashboard/sessions/${created.json.id}`);
    await page.getByRole('region', { name: 'Permission request' }).filter({ hasText: 'rejected.txt' }).waitFor({ timeout: STATE_MS });
    await page.getByRole('button', { name: 'Reject' }).click();
    await page.getByRole('region', { name: 'Permission request' }).waitFor({ state: 'detached', timeout: STATE_MS });
    await badge(page, 'idle');
    t.notOk(existsSync(join(work, 'rejected.txt')), 'the rejected command did not run');
  });

  await t.test('a viewer sees the session live with no action buttons, and its terminal ignores input', async (t) => {
    const vctx = await browser.newContext({ viewport: { width: 1440, height: 960 } });
    t.teardown(() => vctx.close());
    const vseen = watch(vctx, origin);
    const vp = await vctx.newPage();
    await vp.goto(home);
    await signIn(vp, viewerKey);
    await vp.getByRole('link', { name: 'dash-one' }).click();
    await waitTerm(vp, 'aegis-terminal', 'second answer arrived');
    for (const name of ['Approve', 'Reject', 'Interrupt', 'Send', 'Create session']) {
      t.equal(await vp.getByRole('button', { name }).count(), 0, `no ${name} button`);
    }
    t.equal(await vp.getByLabel('Message').count(), 0, 'no message box');
    t.equal(await vp.getByRole('link', { name: 'New session' }).count(), 0, 'no new-session link');

    await vp.locator('aegis-terminal .xterm').click();
    await vp.keyboard.type('viewer typed this');
    await vp.keyboard.press('Enter');
    // The operator's next message shows up live for the viewer; by then any typed key would have landed.
    world.conversations.script(first, [reply.text('third, seen by the viewer')]);
    await api('POST', `/v1/sessions/${id}/send`, { text: 'a third message' });
    await waitTerm(vp, 'aegis-terminal', 'third, seen by the viewer');
    await vp.locator('aegis-transcript', { hasText: 'third, seen by the viewer' }).waitFor({ timeout: STATE_MS });
    const pane = await api('GET', `/v1/sessions/${id}/pane`);
    t.notMatch(pane.json.text, /viewer typed this/, 'the viewer\'s keys never reached the agent');
    t.same(await axe(vp), [], 'viewer detail page: no serious accessibility violation');
    t.same(vseen.errors, [], 'no console error for the viewer');
    t.same(vseen.offOrigin, [], 'no request off the origin for the viewer');
  });

  await t.test('the replay of a finished session plays its output', async (t) => {
    await api('DELETE', `/v1/sessions/${id}?wait=true`);
    await go(page, '/dashboard/');
    await go(page, `/dashboard/sessions/${id}`);
    await badge(page, 'exited');
    await page.getByRole('tab', { name: 'Replay' }).click();
    await page.getByRole('button', { name: '16x' }).click();
    await waitTerm(page, 'aegis-replay', 'hello from the model');
    await waitTerm(page, 'aegis-replay', 'second answer arrived');
    t.pass('the recording replays the conversation');
    t.same(await axe(page), [], 'replay: no serious accessibility violation');
    await screenshot(page, 'session-replay');
  });

  await t.test('admin pages (audit, keys, server) render without accessibility violations', async (t) => {
    for (const [path, heading] of [['/dashboard/audit', 'Audit log'], ['/dashboard/keys', 'API keys'], ['/dashboard/server', 'Server']] as const) {
      await go(page, path);
      await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
      t.same(await axe(page), [], `${heading}: no serious accessibility violation`);
    }
    await page.getByRole('cell', { name: 'claude-code' }).waitFor();
    t.pass('the server page lists the agents found');
  });

  await t.test('in dark mode, by keyboard alone: sign in, reach a session row and open it', async (t) => {
    const dctx = await browser.newContext({ viewport: { width: 1440, height: 960 }, colorScheme: 'dark' });
    t.teardown(() => dctx.close());
    const dseen = watch(dctx, origin);
    const dp = await dctx.newPage();
    await dp.goto(home);
    await dp.keyboard.type(TEST_TOKEN);
    await dp.keyboard.press('Enter');
    await dp.getByRole('link', { name: 'dash-approve' }).waitFor();
    t.equal(await dp.evaluate(() => getComputedStyle(document.body).backgroundColor), 'rgb(13, 16, 23)', 'the dark theme follows the system');
    let reached = false;
    for (let i = 0; i < 40 && !reached; i++) {
      await dp.keyboard.press('Tab');
      reached = await dp.evaluate(() => {
        let el: Element | null = document.activeElement;
        while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
        return el?.textContent === 'dash-approve';
      });
    }
    t.ok(reached, 'Tab reaches the session link');
    await screenshot(dp, 'sessions-list-dark');
    t.same(await axe(dp), [], 'dark list: no serious accessibility violation');
    await dp.keyboard.press('Enter');
    await dp.getByRole('heading', { name: 'dash-approve', level: 1 }).waitFor();
    t.pass('Enter opens it');
    t.same(dseen.errors, []);
  });

  await t.test('a reload asks for the token again and no storage holds it; a planted legacy token is removed at start', async (t) => {
    await page.reload();
    await page.getByLabel('API token').waitFor();
    t.equal(await page.getByRole('navigation', { name: 'Main' }).count(), 0, 'signed out by the reload');
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
    t.notMatch(stored, TEST_TOKEN);
    t.notMatch(stored, viewerKey);

    const lctx = await browser.newContext();
    t.teardown(() => lctx.close());
    await lctx.addInitScript(() => { if (location.pathname.startsWith('/dashboard')) localStorage.setItem('aegis_token', 'planted-legacy-token'); });
    const lp = await lctx.newPage();
    await lp.goto(home);
    await lp.getByLabel('API token').waitFor();
    t.equal(await lp.evaluate(() => localStorage.getItem('aegis_token')), null, 'the legacy entry is gone');
  });

  t.test('the whole run logged no console error or CSP violation and asked nothing of another origin', async (t) => {
    t.same(seen.errors, []);
    t.same(seen.offOrigin, []);
  });
}
