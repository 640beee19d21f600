/**
 * Offline after one visit, in real Chromium: the built app's service worker stores the app shell,
 * Pyodide, the index and the example run; with the browser context offline a reload still renders
 * the app, cross-origin isolated, and a recorded run replays with its Python step run for real.
 */
import { createHash } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import {
  collectErrors,
  ensureBuilt,
  launchChromium,
  screenshot,
  startPreview,
  type Chromium,
  type Preview,
} from './helpers/app-server.ts';

let builtDir: string;
let preview: Preview;
let chrome: Chromium;
let page: Page;
let errors: string[];

beforeAll(async () => {
  const built = await ensureBuilt();
  builtDir = built.dir;
  [preview, chrome] = await Promise.all([startPreview(built.dir), launchChromium()]);
  page = await chrome.context.newPage();
  errors = collectErrors(page);
}, 240_000);

afterAll(async () => {
  await chrome?.close();
  await preview?.close();
});

/** What the precache holds: workbox caches by name, and how many entries each has. */
function precacheEntries(p: Page): Promise<Record<string, number>> {
  return p.evaluate(async () => {
    const out: Record<string, number> = {};
    for (const name of await caches.keys())
      out[name] = (await (await caches.open(name)).keys()).length;
    return out;
  });
}

/** Failures that are the point of the test: requests the offline switch refuses. */
const expectedOffline = /ERR_INTERNET_DISCONNECTED|Failed to fetch|net::ERR_FAILED/;

describe('offline', () => {
  it('works with the network off after one visit: shell, isolation, a replayed run with Python', async () => {
    // First visit, online: the service worker installs, stores everything and takes control.
    await page.goto(preview.url);
    await page.getByLabel('Question', { exact: true }).waitFor();
    const swState = () =>
      page.evaluate(async () => {
        const reg = await navigator.serviceWorker.getRegistration();
        return JSON.stringify({
          controlled: navigator.serviceWorker.controller !== null,
          active: reg?.active?.state,
          installing: reg?.installing?.state,
          waiting: reg?.waiting?.state,
        });
      });
    await page
      .waitForFunction(() => navigator.serviceWorker.controller !== null, null, {
        timeout: 120_000,
      })
      .catch(async (err: unknown) => {
        throw new Error(`not controlled: ${await swState()}; ${errors.join('\n')}`, {
          cause: err,
        });
      });
    const status = page.getByTestId('offline-status');
    await expect.poll(() => status.getAttribute('data-state'), { timeout: 120_000 }).toBe('ready');
    const cached = await precacheEntries(page);
    const precache = Object.entries(cached).filter(([name]) => name.includes('precache'));
    // One versioned precache, holding Pyodide, the index and the example run among the rest.
    expect(precache).toHaveLength(1);
    const urls = await page.evaluate(async (name) => {
      const keys = await (await caches.open(name)).keys();
      return keys.map((r) => new URL(r.url).pathname);
    }, precache[0]?.[0] ?? '');
    for (const path of [
      '/index.html',
      '/pyodide/pyodide.asm.wasm',
      '/pyodide/python_stdlib.zip',
      '/pyodide/pyodide-lock.json',
      '/generated/index/manifest.json',
      '/local-assets.json',
      '/examples/recorded-run.json',
    ]) {
      expect(urls, path).toContain(path);
    }
    expect(urls.some((u) => u.startsWith('/models/'))).toBe(false);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    await expect.poll(() => page.getByText('Available offline').isVisible()).toBe(true);
    await screenshot(page, 'offline-1-first-visit');

    // Network off, reload: everything comes from the service worker.
    await chrome.context.setOffline(true);
    await page.reload();
    await page.getByLabel('Question', { exact: true }).waitFor({ timeout: 30_000 });
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    expect(await status.getAttribute('data-online')).toBe('false');
    await page.getByText('Offline: running from the copy saved on this device').waitFor();
    // The switch really is off for the page and its service worker: what is not stored fails.
    const probe = await page.evaluate(() =>
      fetch(`/not-stored-${Date.now()}.txt`).then(
        (r) => `status ${r.status}`,
        () => 'failed',
      ),
    );
    expect(probe).toBe('failed');
    await screenshot(page, 'offline-2-reloaded');

    // A recorded run, replayed through the real agent loop: its Python step runs in Pyodide.
    await page.goto('about:blank');
    await page.goto(`${preview.url}#/chat?engine=replay&runUrl=examples%2Frecorded-run.json&run=1`);
    const answer = page.getByTestId('final-answer');
    await answer.waitFor({ timeout: 120_000 });
    expect(await answer.innerText()).toContain('30007');
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    const steps = page.getByTestId('step');
    expect(await steps.count()).toBe(2);
    const first = steps.nth(0);
    expect(await first.locator('pre.code').innerText()).toContain('while len(primes) < 20:');
    expect(await first.locator('pre.observation').innerText()).toContain('sum of squares: 30007');
    expect(await page.getByLabel('Question', { exact: true }).inputValue()).toBe(
      'What is the sum of the squares of the first 20 prime numbers?',
    );
    // The offline notice steps aside after a moment (a talk runs full screen).
    await page
      .getByText('Offline: running from the copy saved on this device')
      .waitFor({ state: 'hidden', timeout: 10_000 });
    await screenshot(page, 'offline-3-replayed-run');

    expect(errors.filter((e) => !expectedOffline.test(e))).toEqual([]);
  }, 300_000);

  it('an update waits for Reload, then replaces the whole build', async () => {
    // A copy of the build on its own origin: this test rewrites it into a "new build".
    const dir = await mkdtemp(join(tmpdir(), 'sap-offline-update-'));
    await cp(builtDir, dir, { recursive: true });
    const site = await startPreview(dir);
    await chrome.context.setOffline(false);
    const tab = await chrome.context.newPage();
    const tabErrors = collectErrors(tab);
    try {
      await tab.goto(site.url);
      const status = tab.getByTestId('offline-status');
      await expect
        .poll(() => status.getAttribute('data-state'), { timeout: 120_000 })
        .toBe('ready');
      await tab.waitForFunction(() => navigator.serviceWorker.controller !== null);

      // The new build: a changed index.html, and its new revision in the service worker.
      const html = (await readFile(join(dir, 'index.html'), 'utf8')).replace(
        '<head>',
        '<head><meta name="sap-build" content="2">',
      );
      const revision = createHash('md5').update(html).digest('hex');
      const sw = await readFile(join(dir, 'sw.js'), 'utf8');
      const next = sw.replace(
        /(url:\s*"index\.html",\s*revision:\s*)"[0-9a-f]+"/,
        `$1"${revision}"`,
      );
      expect(next).not.toBe(sw);
      await writeFile(join(dir, 'index.html'), html);
      await writeFile(join(dir, 'sw.js'), next);
      const marker = () => tab.locator('meta[name="sap-build"]').count();

      await tab.evaluate(async () => {
        await (await navigator.serviceWorker.getRegistration())?.update();
      });
      await expect
        .poll(() => status.getAttribute('data-state'), { timeout: 60_000 })
        .toBe('update-ready');
      await tab.getByText('A new version is ready').waitFor();
      await screenshot(tab, 'offline-4-update-ready');

      // Until the user says so, a reload still gets the old build, whole.
      await tab.reload();
      await tab.getByLabel('Question', { exact: true }).waitFor();
      expect(await marker()).toBe(0);
      await expect.poll(() => status.getAttribute('data-state')).toBe('update-ready');

      // Reload: the new worker takes over and the page reloads onto the new build.
      await Promise.all([
        tab.waitForEvent('load', { timeout: 60_000 }),
        tab.getByRole('button', { name: 'Reload' }).click(),
      ]);
      await tab.getByLabel('Question', { exact: true }).waitFor();
      expect(await marker()).toBe(1);
      expect(await tab.evaluate(() => crossOriginIsolated)).toBe(true);
      // The old revision is gone from the precache: one index.html, the new one.
      const indexEntries = await tab.evaluate(async () => {
        const out: string[] = [];
        for (const name of await caches.keys()) {
          for (const r of await (await caches.open(name)).keys()) {
            if (new URL(r.url).pathname === '/index.html') out.push(r.url);
          }
        }
        return out;
      });
      expect(indexEntries).toHaveLength(1);
      expect(indexEntries[0]).toContain(revision);
      expect(tabErrors).toEqual([]);
    } finally {
      await tab.close();
      await site.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
