/**
 * What the browser wall costs (issue 11): the Pyodide sandbox in headless Chromium, before (a
 * worker of the app's own origin) and after (the opaque-origin sandboxed frame, no network), in
 * the same run, alternating: cold start, a one-line step, a step with a tool call, and an
 * 8-candidate SAG step. Served by the Vite dev server (bench/fixtures/browser-sandbox/).
 * Targets: step median ≤ 5 ms, SAG step ≤ 50 ms.
 */
import { join } from 'node:path';
import { createServer } from 'vite';
import { percentile } from '../stats.ts';
import type { BenchSuite } from './index.ts';
import type { BenchFigures } from '../fixtures/browser-sandbox/page.ts';
import { launchChromium, ROOT } from '../../tests/e2e/helpers/app-server.ts';

const RUNS = 3;

function median(xs: number[]): number {
  return Math.round(percentile(xs, 0.5) * 100) / 100;
}

interface Summary {
  coldStartMedianMs: number;
  stepMedianMs: number;
  toolStepMedianMs: number;
  sagStepMedianMs: number;
}

function summary(runs: BenchFigures[]): Summary {
  return {
    coldStartMedianMs: Math.round(median(runs.map((r) => r.startMs))),
    stepMedianMs: median(runs.flatMap((r) => r.stepMs)),
    toolStepMedianMs: median(runs.flatMap((r) => r.toolStepMs)),
    sagStepMedianMs: median(runs.flatMap((r) => r.sagStepMs)),
  };
}

export const browserSandbox: BenchSuite = {
  name: 'browser-sandbox',
  description:
    'Pyodide sandbox in headless Chromium without and with the wall (sandboxed frame): cold start, step, tool step, SAG step of 8',
  async run() {
    const vite = await createServer({
      configFile: join(ROOT, 'vite.config.ts'),
      server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false },
      logLevel: 'silent',
    });
    await vite.listen();
    const base = `${vite.resolvedUrls?.local[0] ?? ''}bench/fixtures/browser-sandbox/page.html`;
    const chrome = await launchChromium();
    try {
      const once = async (wall: 'on' | 'off'): Promise<BenchFigures> => {
        const page = await chrome.context.newPage();
        try {
          await page.goto(`${base}?wall=${wall}`);
          return await page.evaluate(() => window.benchRun());
        } finally {
          await page.close();
        }
      };
      // Warm Vite's transforms and the HTTP cache for both, then alternate.
      await once('off');
      await once('on');
      const before: BenchFigures[] = [];
      const after: BenchFigures[] = [];
      for (let i = 0; i < RUNS; i++) {
        before.push(await once('off'));
        after.push(await once('on'));
      }
      const b = summary(before);
      const a = summary(after);
      return {
        before: b,
        after: a,
        coldStartRunsMs: {
          before: before.map((r) => Math.round(r.startMs)),
          after: after.map((r) => Math.round(r.startMs)),
        },
        targets: { stepMedianMs: 5, sagStepMs: 50 },
        withinTargets: a.stepMedianMs <= 5 && a.sagStepMedianMs <= 50,
        note: 'dev server, shared 2-core machine: noisy; compare before and after of this run only',
      };
    } finally {
      await chrome.close();
      await vite.close();
    }
  },
};
