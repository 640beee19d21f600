/**
 * The Python sandbox in real Chromium: Pyodide in a Web Worker inside the opaque-origin sandboxed
 * frame, served by the project's Vite dev server (cross-origin isolated), with the synchronous tool
 * bridge and interrupts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { join } from 'node:path';
import { collectErrors, launchChromium, ROOT, type Chromium } from './helpers/app-server.ts';
import type { ExecuteOptions, ExecutionResult } from '../../src/agent/ports.ts';

let vite: ViteDevServer;
let chrome: Chromium;
let page: Page;
let errors: string[];

beforeAll(async () => {
  vite = await createServer({
    configFile: join(ROOT, 'vite.config.ts'),
    server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false },
    logLevel: 'silent',
  });
  await vite.listen();
  const url = vite.resolvedUrls?.local[0] ?? '';
  chrome = await launchChromium();
  page = await chrome.context.newPage();
  errors = collectErrors(page);
  await page.goto(`${url}tests/fixtures/python/browser.html`);
  await page.evaluate(() => window.sandboxReady);
}, 240_000);

afterAll(async () => {
  await chrome?.close();
  await vite?.close();
});

function run(code: string, options?: ExecuteOptions): Promise<ExecutionResult> {
  return page.evaluate(([c, o]) => window.sandboxRun(c, o), [code, options] as const);
}

describe('the browser sandbox', () => {
  it('runs code, keeps state and reports like smolagents', async () => {
    const r = await run('x = 20\nprint("x is", x)\nx + 22');
    expect(r).toMatchObject({ status: 'ok', logs: 'x is 20\n', output: '42' });
    const e = await run('x / 0');
    expect(e.error?.message).toBe(
      "Code execution failed at line 'x / 0' due to: ZeroDivisionError: division by zero",
    );
  });

  it('runs behind the wall: an opaque-origin frame, no IndexedDB, no network', async () => {
    expect(await page.evaluate(() => window.sandboxIsolation())).toEqual({
      origin: 'opaque',
      indexedDB: 'denied',
      network: 'denied',
    });
    const frames = await Promise.all(
      page.frames().map((f) => f.evaluate(() => [self.origin, self.crossOriginIsolated] as const)),
    );
    expect(frames).toContainEqual(['null', true]);
  });

  it('calls a JS tool synchronously', async () => {
    const r = await run('print(web_search("Paris"))');
    expect(r.logs).toBe('result for Paris\n');
    expect(r.toolCalls[0]).toMatchObject({ name: 'web_search', args: { query: 'Paris' } });
  });

  it('blocks the js module', async () => {
    const r = await run('import js');
    expect(r.error?.kind).toBe('policy');
  });

  it('interrupts an infinite loop, and restarts after an uninterruptible sleep', async () => {
    const loop = await run('while True:\n    pass', { timeoutMs: 1000 });
    expect(loop.error?.kind).toBe('timeout');
    expect(loop.stateLost).toBe(false);
    expect((await run('x')).output).toBe('20');
    const sleep = await run('import time\ntime.sleep(60)', { timeoutMs: 1000 });
    expect(sleep.stateLost).toBe(true);
    expect((await run('1 + 1')).output).toBe('2');
  }, 60_000);

  it('ends deep recursion, also through C code, as an error and keeps working', async () => {
    const plain = await run('def f(n):\n    return f(n + 1)\nf(0)');
    expect(plain.error?.type).toBe('RecursionError');
    const viaC = await run(
      'class A:\n    def __repr__(self):\n        return repr(self)\nrepr(A())',
    );
    expect(viaC.status).toBe('error');
    expect(viaC.error?.type).toBe('RecursionError');
    expect((await run('2 + 2')).output).toBe('4');
  }, 60_000);

  it('runs SAG candidates in isolation', async () => {
    await run('items = [1]');
    const results = await page.evaluate(() =>
      window.sandboxCandidates(['items.append(2)\nitems', 'items']),
    );
    expect(results.map((r) => r.output)).toEqual(['[1, 2]', '[1]']);
  });

  it('logged no errors', () => {
    expect(errors).toEqual([]);
  });
});
