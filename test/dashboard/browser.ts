import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { REPO_ROOT } from '../support/paths.js';

/** Debian's chromium; the tests never download a browser. */
export const CHROMIUM = process.env.AEGIS_CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS = join(REPO_ROOT, 'test-artifacts');

/** Why the browser tests cannot run here, or undefined when they can. */
export function skipReason(): string | undefined {
  if (!existsSync(CHROMIUM)) return `no Chromium at ${CHROMIUM} (apt-get install chromium)`;
  if (!existsSync(join(REPO_ROOT, 'dashboard', 'dist', 'index.html'))) return 'the dashboard bundle is not built (npm run build)';
  return undefined;
}

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** What a page did that it must not: console errors and warnings about CSP, requests off the origin. */
export interface Watch {
  errors: string[];
  offOrigin: string[];
}

/** Watches every page of a context for console errors, CSP violations and foreign requests. */
export function watch(context: BrowserContext, origin: string): Watch {
  const w: Watch = { errors: [], offOrigin: [] };
  const track = (page: Page) => {
    page.on('console', (m) => {
      if (m.type() === 'error' || /Content[- ]Security[- ]Policy/i.test(m.text())) w.errors.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => w.errors.push(`pageerror: ${e.message}`));
    page.on('request', (r) => {
      const url = r.url();
      if (!url.startsWith(origin + '/') && !url.startsWith(origin.replace(/^http/, 'ws') + '/') && !/^(data|blob):/.test(url)) w.offOrigin.push(url);
    });
  };
  context.on('page', track);
  for (const p of context.pages()) track(p);
  return w;
}

/** Signs in on the login form with `token`. */
export async function signIn(page: Page, token: string): Promise<void> {
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

/** Goes to a dashboard path the way a link does: no reload, so the sign-in holds. */
export async function go(page: Page, path: string): Promise<void> {
  await page.evaluate((p) => { history.pushState(null, '', p); window.dispatchEvent(new PopStateEvent('popstate')); }, path);
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS, { recursive: true });
  const file = join(ARTIFACTS, `${name}.png`);
  await writeFile(file, await page.screenshot({ fullPage: true }));
  return file;
}

/** The text an xterm inside `host` shows (its DOM renderer's rows). */
export async function termText(page: Page, host: string): Promise<string> {
  return (await page.locator(`${host} .xterm-rows`).textContent()) ?? '';
}

/** Resolves once the xterm inside `host` shows `text`; the DOM renderer updates as output arrives. */
export async function waitTerm(page: Page, host: string, text: string, ms = 60000): Promise<void> {
  await page.locator(`${host} .xterm-rows`).filter({ hasText: text }).waitFor({ timeout: ms });
}
