/**
 * Models people can load, in real Chromium on the built app: distilled slots marked "not
 * installed", q4f32 picked on a GPU without shader-f16 (headless Chromium's SwiftShader), and
 * adding a model from a local server that plays a model hub and from a folder picked in the
 * browser, up to the browser's model cache filled and the model listed, kept and removed.
 * (No real generation: WebGPU models cannot run here.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
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
import {
  QWEN_05B_CONFIG,
  modelFolder,
  startModelHub,
  writeModelFolder,
  type ModelHub,
} from '../helpers/model-hub.ts';

let preview: Preview;
let chrome: Chromium;
let hub: ModelHub;
let page: Page;
let errors: string[];
let fixtures: string;

const DISTILLED = 'agent-distilled-Qwen2.5-1.5B-Instruct-q4f32_1-MLC';
// Not the 0.5B slot: tests/e2e/webgpu.test.ts puts a broken folder there on disk.
const SLOT = 'user-distilled-Qwen2.5-3B-Instruct-q4f32_1-MLC';
/** Qwen2.5 3B's shape, which the 3B slot's library runs. */
const QWEN_3B_CONFIG = {
  ...QWEN_05B_CONFIG,
  model_config: {
    hidden_size: 2048,
    intermediate_size: 11008,
    num_attention_heads: 16,
    num_hidden_layers: 36,
    num_key_value_heads: 2,
    vocab_size: 151936,
  },
};

beforeAll(async () => {
  const built = await ensureBuilt();
  [preview, chrome, hub] = await Promise.all([
    startPreview(built.dir),
    launchChromium(['--enable-unsafe-webgpu']),
    startModelHub(),
  ]);
  fixtures = mkdtempSync(join(tmpdir(), 'sap-model-folders-'));
}, 240_000);

afterAll(async () => {
  await chrome?.close();
  await preview?.close();
  await hub?.close();
  rmSync(fixtures, { recursive: true, force: true });
});

beforeEach(async () => {
  page = await chrome.context.newPage();
  errors = collectErrors(page);
});

afterEach(async () => {
  await page.close();
});

async function open(url: string): Promise<void> {
  await page.goto('about:blank');
  await page.goto(url);
}

const row = (id: string) => page.locator(`tr[data-model="${id}"]`);

/** Cache keys web-llm would read, per scope, for a URL prefix. */
function cacheKeys(prefix: string): Promise<Record<string, string[]>> {
  return page.evaluate(async (p) => {
    const out: Record<string, string[]> = {};
    for (const scope of ['webllm/config', 'webllm/model', 'webllm/wasm']) {
      const cache = await caches.open(scope);
      out[scope] = (await cache.keys()).map((r) => r.url).filter((u) => u.startsWith(p));
    }
    return out;
  }, prefix);
}

describe('installed or not', () => {
  it('marks distilled slots "not installed", says what to do, and disables their Load', async () => {
    await open(`${preview.url}#/models`);
    const status = page.getByTestId('webgpu-status');
    await expect.poll(() => status.getAttribute('data-status'), { timeout: 20_000 }).toBe('ok');
    expect(await status.innerText()).toContain('Software WebGPU (SwiftShader)');
    expect(await status.innerText()).not.toContain('WebGPU ready');

    await expect.poll(() => row(DISTILLED).getAttribute('data-state')).toBe('not-installed');
    const text = await row(DISTILLED).innerText();
    expect(text).toContain('not installed');
    expect(text).toContain(`models/${DISTILLED}/resolve/main/`);
    expect(text).toContain('Add a model');
    expect(
      await page
        .getByRole('button', { name: 'Load Agent-distilled Qwen2.5 1.5B (q4f32_1)' })
        .isDisabled(),
    ).toBe(true);
    // A prebuilt model downloads when loaded: its q4f32 build can load here.
    expect(await row('Qwen2.5-0.5B-Instruct-q4f32_1-MLC').getAttribute('data-state')).toBe('ready');
    expect(
      await page.getByRole('button', { name: 'Load Qwen2.5 0.5B Instruct (q4f32_1)' }).isEnabled(),
    ).toBe(true);
    await screenshot(page, 'models-not-installed');
    expect(errors).toEqual([]);
  });

  it('pickers hold the q4f32 build and list uninstalled slots last; the panel says how to install', async () => {
    await open(`${preview.url}#/chat?model=Qwen2.5-1.5B-Instruct-q4f16_1-MLC`);
    const picker = page.locator('#chat-model');
    await expect
      .poll(() => picker.inputValue(), { timeout: 20_000 })
      .toBe('Qwen2.5-1.5B-Instruct-q4f32_1-MLC');
    const readGroups = () =>
      picker.locator('optgroup').evaluateAll((gs) =>
        gs.map((g) => ({
          label: g.getAttribute('label'),
          options: [...g.querySelectorAll('option')].map((o) => o.textContent ?? ''),
        })),
      );
    await expect
      .poll(async () => (await readGroups()).at(-1)?.options ?? [], { timeout: 20_000 })
      .toContain('Agent-distilled Qwen2.5 1.5B (q4f32_1) — not installed');
    const groups = await readGroups();
    expect(groups.at(-1)?.label).toBe('Not installed (see Models)');
    const base = groups.find((g) => g.label === 'Base instruct models')?.options ?? [];
    // Without shader-f16 the builds that run come first.
    expect(base[0]).toBe('Qwen2.5 0.5B Instruct (q4f32_1)');
    expect(base.at(-1)).toContain('— needs shader-f16');

    await picker.selectOption(DISTILLED);
    const panel = page.getByRole('region', { name: 'In-browser model' });
    await panel.getByTestId('model-not-installed').waitFor();
    expect(await panel.getByRole('button', { name: 'Load now' }).isDisabled()).toBe(true);
    expect(await panel.innerText()).toContain(`models/${DISTILLED}/resolve/main/`);
    await screenshot(page, 'chat-model-not-installed');
  });

  it('fits a 390 px phone: the model list stacks, nothing scrolls sideways', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await open(`${preview.url}#/models`);
    await expect.poll(() => row(DISTILLED).getAttribute('data-state')).toBe('not-installed');
    await page.getByLabel('From Hugging Face (repository id or URL)').fill('x');
    // The view's own content (the top navigation is the app shell's).
    const overflow = await page.evaluate(() => {
      const width = document.documentElement.clientWidth;
      const rights = [...document.querySelectorAll('main *')].map(
        (e) => e.getBoundingClientRect().right,
      );
      return Math.max(...rights) - width;
    });
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'models-phone');
  });

  it('says before a run that the sandbox lacks numpy and sympy, with the command', async () => {
    await open(`${preview.url}#/chat`);
    const note = page.getByTestId('python-packages-missing');
    await note.waitFor({ timeout: 10_000 });
    const text = await note.innerText();
    expect(text).toContain('numpy, sympy, mpmath');
    expect(text).toContain('npx playground setup --pyodide-packages');
  });
});

describe('add a model from a hub', () => {
  const repo = 'someone/Tiny-Qwen-q4f32_1-MLC';

  async function check(input: string): Promise<void> {
    await open(`${preview.url}#/models`);
    await page.getByLabel('From Hugging Face (repository id or URL)').fill(input);
    await page.getByRole('button', { name: 'Check', exact: true }).click();
  }

  it('refuses a missing file, a wrong size and an unknown architecture, naming each', async () => {
    const files = modelFolder(QWEN_05B_CONFIG, 3);
    files.delete('params_shard_1.bin');
    files.set('params_shard_2.bin', Buffer.alloc(7));
    hub.repos.set(repo, files);
    await check(`${hub.url}/${repo}`);
    const result = page.getByTestId('add-model-check');
    await result.waitFor({ timeout: 20_000 });
    expect(await result.getAttribute('data-ok')).toBe('false');
    const text = await result.innerText();
    expect(text).toContain(`${repo} cannot be added`);
    expect(text).toContain('params_shard_1.bin is missing');
    expect(text).toContain('params_shard_2.bin is 7 bytes but tensor-cache.json lists 4096');
    expect(await page.getByRole('button', { name: 'Add model' }).count()).toBe(0);

    hub.repos.set(repo, modelFolder({ ...QWEN_05B_CONFIG, model_type: 'mistral' }));
    await check(`${hub.url}/${repo}`);
    await expect
      .poll(() => page.getByTestId('add-model-check').innerText(), { timeout: 20_000 })
      .toContain('"mistral" has no prebuilt WebLLM library');

    await check(`${hub.url}/nobody/nothing`);
    await expect
      .poll(() => page.getByRole('alert').first().innerText(), { timeout: 20_000 })
      .toContain('answered HTTP 401 for nobody/nothing');
    await screenshot(page, 'add-model-refused');
  }, 90_000);

  it('shows size and VRAM, adds with the chosen profile, keeps it across reloads, removes it', async () => {
    const files = modelFolder();
    hub.repos.set(repo, files);
    hub.requests.length = 0;
    await check(`${hub.url}/${repo}`);
    const result = page.getByTestId('add-model-check');
    await result.waitFor({ timeout: 20_000 });
    expect(await result.getAttribute('data-ok')).toBe('true');
    const text = await result.innerText();
    const total = [...files.values()].reduce((n, b) => n + b.byteLength, 0);
    expect(text).toContain('Tiny-Qwen-q4f32_1-MLC');
    expect(text).toContain('~1.0 GB');
    expect(text).toContain("WebLLM's prebuilt Qwen2-0.5B-Instruct library");
    expect(text).toMatch(/Download\s+9 KB in 2 shards/);
    expect(total).toBeGreaterThan(8192);
    // Checked, not downloaded.
    expect(hub.requests.filter((r) => r.startsWith('GET') && r.endsWith('.bin'))).toEqual([]);

    await page.getByLabel('Name shown in the app').fill('Tiny test Qwen');
    await page.getByLabel('Prompt profile').selectOption('distilled');
    await page.getByRole('button', { name: 'Add model' }).click();
    await page.getByText('Added Tiny test Qwen. It downloads when you first load it.').waitFor();
    const id = 'Tiny-Qwen-q4f32_1-MLC';
    expect(await row(id).innerText()).toContain('added');
    expect(await row(id).innerText()).toContain('distilled');
    await screenshot(page, 'add-model-added');

    // Kept in IndexedDB: there after a reload, and offered in the chat picker with its profile.
    await open(`${preview.url}#/chat?model=${id}`);
    await expect.poll(() => page.locator('#chat-model').inputValue(), { timeout: 20_000 }).toBe(id);
    expect(await page.locator('#chat-profile').inputValue()).toBe('distilled');

    // Loading it fails here (no network for the model library): the alert says which model, what
    // was tried where, and what to do next.
    await chrome.context.route(/raw\.githubusercontent\.com/, (r) =>
      r.abort('internetdisconnected'),
    );
    await page.getByRole('button', { name: 'Load now' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor({ timeout: 60_000 });
    const failure = await alert.innerText();
    expect(failure).toContain('Tiny test Qwen (tried weights from 127.0.0.1:');
    expect(failure).toContain('model library from raw.githubusercontent.com');
    expect(failure).toContain('Next:');
    await chrome.context.unrouteAll({ behavior: 'ignoreErrors' });

    await open(`${preview.url}#/models`);
    await row(id).waitFor();
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Remove Tiny test Qwen' }).click();
    await row(id).waitFor({ state: 'detached' });
    await open(`${preview.url}#/models`);
    await row('Qwen2.5-0.5B-Instruct-q4f32_1-MLC').waitFor();
    expect(await row(id).count()).toBe(0);
  }, 120_000);
});

describe('add a model from a folder', () => {
  async function pick(dir: string): Promise<void> {
    await open(`${preview.url}#/models`);
    await page
      .getByLabel('From a folder on this computer (convert_mlc.sh output)')
      .setInputFiles(dir);
  }

  it('copies a checked folder into the model cache under the URLs WebLLM reads, keeps and removes it', async () => {
    const name = 'my-student-q4f32_1-MLC';
    const files = modelFolder();
    const dir = writeModelFolder(fixtures, name, files);
    await pick(dir);
    const result = page.getByTestId('add-model-check');
    await result.waitFor({ timeout: 20_000 });
    expect(await result.getAttribute('data-ok')).toBe('true');
    expect(await page.getByLabel('Prompt profile').inputValue()).toBe('fewshot');
    await page.getByRole('button', { name: 'Copy into this browser' }).click();
    await page
      .getByText('Installed my-student-q4f32_1-MLC in this browser')
      .waitFor({ timeout: 20_000 });

    const base = `${new URL(preview.url).origin}/models/${name}/resolve/main/`;
    const keys = await cacheKeys(base);
    expect(keys['webllm/config']).toEqual([`${base}mlc-chat-config.json`]);
    expect((keys['webllm/model'] ?? []).sort()).toEqual(
      [...files.keys()]
        .filter((f) => f !== 'mlc-chat-config.json')
        .map((f) => base + f)
        .sort(),
    );
    // Byte for byte what the folder holds.
    const shard = await page.evaluate(async (u) => {
      const res = await (await caches.open('webllm/model')).match(u);
      return res ? [...new Uint8Array(await res.arrayBuffer())].slice(0, 4) : null;
    }, `${base}params_shard_1.bin`);
    expect(shard).toEqual([2, 2, 2, 2]);
    await expect.poll(() => row(name).getAttribute('data-state')).toBe('ready');
    expect(await row(name).innerText()).toContain('installed in this browser');
    await screenshot(page, 'add-model-folder');

    await open(`${preview.url}#/models`);
    await expect
      .poll(() => row(name).getAttribute('data-state'), { timeout: 20_000 })
      .toBe('ready');
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: `Remove ${name}` }).click();
    await row(name).waitFor({ state: 'detached' });
    expect(Object.values(await cacheKeys(base)).flat()).toEqual([]);
  }, 90_000);

  it('a folder named like a registry slot installs that slot, and its Load is enabled', async () => {
    const dir = writeModelFolder(fixtures, SLOT, modelFolder(QWEN_3B_CONFIG));
    await pick(dir);
    await page.getByRole('button', { name: 'Copy into this browser' }).click();
    await page
      .getByText(/Installed Your distilled Qwen2.5 3B \(q4f32_1\) in this browser/)
      .waitFor({
        timeout: 20_000,
      });
    await expect.poll(() => row(SLOT).getAttribute('data-state')).toBe('ready');
    expect(
      await page
        .getByRole('button', { name: 'Load Your distilled Qwen2.5 3B (q4f32_1)' })
        .isEnabled(),
    ).toBe(true);
    // Not a second entry: the slot itself is installed.
    expect(await page.locator(`tr[data-model^="user-distilled-Qwen2.5-3B"]`).count()).toBe(2);
    page.once('dialog', (d) => void d.accept());
    await page
      .getByRole('button', { name: 'Delete Your distilled Qwen2.5 3B (q4f32_1) from the cache' })
      .click();
    await expect
      .poll(() => row(SLOT).getAttribute('data-state'), { timeout: 20_000 })
      .toBe('not-installed');
  }, 90_000);

  it('names what is wrong with a broken folder and copies nothing', async () => {
    const files = modelFolder();
    files.delete('tokenizer.json');
    const dir = writeModelFolder(fixtures, 'broken-q4f32_1-MLC', files);
    await pick(dir);
    const result = page.getByTestId('add-model-check');
    await result.waitFor({ timeout: 20_000 });
    expect(await result.innerText()).toContain('tokenizer.json is missing');
    expect(Object.values(await cacheKeys(`${new URL(preview.url).origin}/models/`)).flat()).toEqual(
      [],
    );
  });
});
