/**
 * First load of the app from `vite preview` in headless Chromium: the JavaScript fetched before a
 * model is chosen (gzip) and the time until the question box takes input. Bars: < 250 KB gzip,
 * < 1.5 s.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import type { BenchSuite } from './index.ts';
import { CHROMIUM_ARGS, buildApp, startPreview } from '../../tests/e2e/helpers/app-server.ts';

const RUNS = 5;

/** Interactive: the question box exists and a typed character lands in it. */
const PROBE = `
(() => {
  const probe = () => {
    const box = document.querySelector('#question');
    if (!box) return requestAnimationFrame(probe);
    setTimeout(() => {
      box.focus();
      box.value = 'x';
      box.dispatchEvent(new Event('input', { bubbles: true }));
      if (box.value === 'x') window.__tti = performance.now();
      box.value = '';
      box.dispatchEvent(new Event('input', { bubbles: true }));
      box.blur();
    }, 0);
  };
  requestAnimationFrame(probe);
})();
`;

export const appLoad: BenchSuite = {
  name: 'app-load',
  description: 'first-load JS (gzip) and time to interactive of the built app in headless Chromium',
  async run() {
    const dir = await mkdtemp(join(tmpdir(), 'sap-bench-app-'));
    await buildApp(dir);
    const preview = await startPreview(dir);
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: CHROMIUM_ARGS,
    });
    try {
      const tti: number[] = [];
      let scripts: { url: string; bytes: number; gzip: number }[] = [];
      for (let i = 0; i < RUNS; i++) {
        // A new context each time: a cold cache, as a first visit.
        const context = await browser.newContext();
        const page = await context.newPage();
        const seen: Promise<{ url: string; bytes: number; gzip: number }>[] = [];
        page.on('response', (res) => {
          if (res.request().resourceType() !== 'script') return;
          seen.push(
            res.body().then((b) => ({ url: res.url(), bytes: b.length, gzip: gzipSync(b).length })),
          );
        });
        // A string, not a function: tsx's helpers (e.g. __name) do not exist in the page.
        await page.addInitScript(PROBE);
        await page.goto(preview.url, { waitUntil: 'load' });
        await page.waitForFunction(
          () => (window as unknown as { __tti?: number }).__tti !== undefined,
        );
        tti.push(await page.evaluate(() => (window as unknown as { __tti: number }).__tti));
        await page.waitForLoadState('networkidle');
        scripts = await Promise.all(seen);
        await context.close();
      }
      const sorted = [...tti].sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)] ?? NaN;
      const gzipKB = scripts.reduce((s, x) => s + x.gzip, 0) / 1024;
      return {
        firstLoadJsGzipKB: Math.round(gzipKB * 10) / 10,
        firstLoadJsRawKB: Math.round(scripts.reduce((s, x) => s + x.bytes, 0) / 102.4) / 10,
        firstLoadScripts: scripts.map((s) => ({
          file: new URL(s.url).pathname,
          gzipKB: Math.round(s.gzip / 102.4) / 10,
        })),
        ttiMedianMs: Math.round(median),
        ttiRunsMs: tti.map((t) => Math.round(t)),
        budgets: { firstLoadJsGzipKB: 250, ttiMs: 1500 },
        withinBudget: gzipKB < 250 && median < 1500,
      };
    } finally {
      await browser.close();
      await preview.close();
      await rm(dir, { recursive: true, force: true });
    }
  },
};
