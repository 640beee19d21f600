/**
 * The WebGPU checks on the adapter headless Chromium offers with --enable-unsafe-webgpu
 * (SwiftShader: no shader-f16), and what the model manager does when weights cannot come.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page, Route } from 'playwright-core';
import {
  ROOT,
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
  [preview, chrome] = await Promise.all([
    startPreview(built.dir),
    launchChromium(['--enable-unsafe-webgpu']),
  ]);
  page = await chrome.context.newPage();
  errors = collectErrors(page);
}, 240_000);

afterAll(async () => {
  await chrome?.close();
  await preview?.close();
});

async function open(url: string): Promise<void> {
  await page.goto('about:blank');
  await page.goto(url);
}

describe('WebGPU check and model loading', () => {
  it('finds the adapter, sees no shader-f16 and offers only q4f32 models', async () => {
    await open(`${preview.url}#/models`);
    const status = page.getByTestId('webgpu-status');
    await expect.poll(() => status.getAttribute('data-status'), { timeout: 20_000 }).toBe('ok');
    const text = await status.innerText();
    // SwiftShader is a CPU rasteriser: labelled as such, never "ready".
    expect(text).toContain('Software WebGPU (SwiftShader)');
    expect(text).not.toContain('WebGPU ready');
    expect(text).toContain('no 16-bit shaders (shader-f16), so q4f32 models are used');
    expect(text).toMatch(/shader-f16\s+no\b/);
    expect(
      await page.getByRole('button', { name: 'Load Qwen2.5 0.5B Instruct (q4f16_1)' }).isDisabled(),
    ).toBe(true);
    expect(
      await page.getByRole('button', { name: 'Load Qwen2.5 0.5B Instruct (q4f32_1)' }).isEnabled(),
    ).toBe(true);
    await screenshot(page, 'models-webgpu');
    expect(errors).toEqual([]);
  });

  it('switches a q4f16 choice to q4f32 in the picker, shows progress and cancels', async () => {
    // Weights never arrive: the load stays in progress until cancelled.
    const held: Route[] = [];
    await chrome.context.route(/huggingface\.co|raw\.githubusercontent\.com/, (route) => {
      held.push(route);
    });
    await open(`${preview.url}#/chat?model=Qwen2.5-0.5B-Instruct-q4f16_1-MLC`);
    // The picker itself moves to the build this GPU runs, before anything loads.
    await expect
      .poll(() => page.locator('#chat-model').inputValue(), { timeout: 20_000 })
      .toBe('Qwen2.5-0.5B-Instruct-q4f32_1-MLC');
    await page.getByRole('button', { name: 'Load now' }).click();
    const loading = page.getByRole('group', { name: /Loading Qwen2.5 0.5B Instruct \(q4f32_1\)/ });
    await loading.waitFor({ timeout: 30_000 });
    expect(await loading.getByRole('progressbar').count()).toBe(1);
    await screenshot(page, 'chat-model-loading');
    await loading.getByRole('button', { name: 'Cancel' }).click();
    await loading.waitFor({ state: 'detached', timeout: 5_000 });
    expect(await page.getByRole('button', { name: 'Load now' }).isEnabled()).toBe(true);
    expect(await page.getByRole('alert').count()).toBe(0);
    await Promise.all(held.map((r) => r.abort().catch(() => undefined)));
    await chrome.context.unrouteAll({ behavior: 'ignoreErrors' });
  }, 90_000);

  it('says plainly when the weights cannot be fetched, with no spinner left', async () => {
    await chrome.context.route(/huggingface\.co|raw\.githubusercontent\.com/, (route) =>
      route.abort('internetdisconnected'),
    );
    await open(`${preview.url}#/chat?model=Qwen2.5-0.5B-Instruct-q4f32_1-MLC`);
    const before = errors.filter((e) => e.startsWith('pageerror')).length;
    await page.getByRole('button', { name: 'Load now' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor({ timeout: 60_000 });
    expect(await alert.innerText()).toContain('The model could not be loaded.');
    expect(await alert.innerText()).toContain('could not be downloaded (network error)');
    // Which model, the hosts tried, and what to do next.
    expect(await alert.innerText()).toContain(
      'Qwen2.5 0.5B Instruct (q4f32_1) (tried weights from huggingface.co, model library from raw.githubusercontent.com)',
    );
    expect(await alert.innerText()).toContain('Next: check the connection');
    expect(await page.getByRole('group', { name: /Loading/ }).count()).toBe(0);
    await screenshot(page, 'chat-model-load-failed');
    expect(errors.filter((e) => e.startsWith('pageerror')).length).toBe(before);
    await chrome.context.unrouteAll({ behavior: 'ignoreErrors' });
  }, 90_000);
});

describe('local model folders', () => {
  const id = 'user-distilled-Qwen2.5-0.5B-Instruct-q4f32_1-MLC';
  const folder = join(ROOT, 'models', id);

  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('says where to place a distilled checkpoint that exists only locally, and offers no Load', async () => {
    await open(`${preview.url}#/chat?model=agent-distilled-Qwen2.5-1.5B-Instruct-q4f32_1-MLC`);
    const note = page.getByRole('note').filter({ hasText: 'is not installed' });
    await note.waitFor({ timeout: 30_000 });
    expect(await note.innerText()).toContain(
      'models/agent-distilled-Qwen2.5-1.5B-Instruct-q4f32_1-MLC/resolve/main/',
    );
    expect(await page.getByRole('button', { name: 'Load now' }).isDisabled()).toBe(true);
    expect(await page.getByRole('group', { name: /Loading/ }).count()).toBe(0);
  }, 60_000);

  it('names the broken file of a local folder before loading anything', async () => {
    const main = join(folder, 'resolve', 'main');
    mkdirSync(main, { recursive: true });
    writeFileSync(join(main, 'mlc-chat-config.json'), '{"model_type": ');
    const fetched: string[] = [];
    page.on('request', (r) => fetched.push(r.url()));
    await open(`${preview.url}#/chat?model=${id}`);
    const note = page.getByRole('note').filter({ hasText: 'cannot be loaded yet' });
    await note.waitFor({ timeout: 30_000 });
    expect(await note.innerText()).toContain('mlc-chat-config.json is not valid JSON');
    expect(await page.getByRole('button', { name: 'Load now' }).isDisabled()).toBe(true);
    // Nothing was downloaded for a folder that failed its check.
    expect(fetched.some((u) => /huggingface\.co|raw\.githubusercontent\.com|\.wasm$/.test(u))).toBe(
      false,
    );
    await screenshot(page, 'models-local-folder-invalid');
  }, 60_000);
});
