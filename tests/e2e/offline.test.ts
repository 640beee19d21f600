/**
 * Offline after one visit, in real Chromium: the built app's service worker stores the app shell,
 * Pyodide, the index and the example run; with the browser context offline a reload still renders
 * the app, cross-origin isolated, and a recorded run replays with its Python step run for real.
 */
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

let preview: Preview;
let chrome: Chromium;
let page: Page;
let errors: string[];

beforeAll(async () => {
  const built = await ensureBuilt();
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
    await screenshot(page, 'offline-3-replayed-run');

    expect(errors.filter((e) => !expectedOffline.test(e))).toEqual([]);
  }, 300_000);
});
