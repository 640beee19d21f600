/**
 * The built app choosing and running the CPU engine in real Chromium (no WebGPU: the harness
 * starts it with --disable-gpu): asked for outright with a GGUF file from disk, it answers with
 * real wllama inference and real Pyodide; left on WebLLM, it falls back to the same family's GGUF
 * build. Requests to huggingface.co are answered by the test (404), never sent.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, screenshot, startAppSession, type AppSession } from './helpers/app-server.ts';

const FIXTURE = join(ROOT, 'tests/fixtures/gguf/tiny-agent.gguf');
let session: AppSession;
let page: Page;
const hubRequests: string[] = [];

beforeAll(async () => {
  session = await startAppSession();
  page = session.page;
  await page.route('https://huggingface.co/**', (route) => {
    hubRequests.push(route.request().url());
    return route.fulfill({
      status: 404,
      headers: {
        'Access-Control-Allow-Origin': '*',
        'Cross-Origin-Resource-Policy': 'cross-origin',
      },
      body: 'not found',
    });
  });
}, 240_000);

afterAll(async () => {
  await session?.close();
});

describe('the CPU engine in the app', () => {
  it('runs the agent on a GGUF file picked from disk when the CPU engine is chosen', async () => {
    await session.open(session.link('chat', { engine: 'wllama', model: 'local-gguf-file' }));
    await page.getByLabel('GGUF file').setInputFiles(FIXTURE);
    await page.getByLabel('Question', { exact: true }).fill('What is 6 times 7?');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const answer = page.getByTestId('final-answer');
    await answer.waitFor({ timeout: 120_000 });
    expect(await answer.innerText()).toContain('42');
    expect(await page.getByTestId('step').first().locator('pre.code').innerText()).toContain(
      'final_answer(42)',
    );
    await screenshot(page, 'chat-cpu-engine');
    expect(session.errors).toEqual([]);
  }, 180_000);

  it('precaches wllama and its compat build from our own origin, for offline use', async () => {
    const cached = await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
      const urls: string[] = [];
      for (const name of await caches.keys()) {
        for (const req of await (await caches.open(name)).keys()) urls.push(req.url);
      }
      return urls.filter((u) => /wllama[^/]*\.wasm/.test(u));
    });
    expect(cached).toHaveLength(2);
    for (const u of cached) expect(u.startsWith(session.preview.url)).toBe(true);
  });

  it('falls back to the CPU build of the same model when WebGPU is missing', async () => {
    const link = session.link('chat', {
      engine: 'webllm',
      model: 'Qwen2.5-0.5B-Instruct-q4f16_1-MLC',
      q: 'What is 6 times 7?',
      run: '1',
    });
    await session.open(link);
    const alert = page.getByRole('alert');
    await alert.first().waitFor({ timeout: 60_000 });
    const gguf =
      'https://huggingface.co/Qwen/Qwen2.5-0.5B-Instruct-GGUF/resolve/main/qwen2.5-0.5b-instruct-q4_k_m.gguf';
    expect(hubRequests).toContain(gguf);
    expect(hubRequests.some((u) => u.includes('-MLC'))).toBe(false);
    expect(await alert.first().innerText()).toContain(
      `Qwen2.5 0.5B Instruct (Q4_K_M, CPU) is not at ${gguf} (HTTP 404)`,
    );
  }, 120_000);
});
