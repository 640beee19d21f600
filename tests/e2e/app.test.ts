/**
 * The built app in real Chromium against a scripted OpenAI-compatible server on 127.0.0.1, with
 * real Pyodide and a real search index served from the app's origin.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import {
  ensureBuilt,
  ROOT,
  screenshot,
  type Preview,
  startAppSession,
  type AppSession,
} from './helpers/app-server.ts';
import { type FakeOpenAIServer } from '../helpers/fake-openai-server.ts';

const registryModels = (
  JSON.parse(readFileSync(join(ROOT, 'models/registry.json'), 'utf8')) as { models: unknown[] }
).models.length;

const QUESTION = 'Who directed the film ...And God Created Them?';
const SEARCH_STEP = [
  'Thought: I need the director of the film "...And God Created Them". I will search for it.',
  '```py',
  'result = web_search(query="And God Created Them 1979 Puerto Rican comedy film directed")',
  'print(result)',
  '```',
].join('\n');
const ANSWER_STEP = [
  'Thought: The passage says the film was directed by Jacobo Morales.',
  '```py',
  'final_answer("Jacobo Morales")',
  '```',
].join('\n');

let session: AppSession;
let preview: Preview;
let server: FakeOpenAIServer;
let page: Page;
let errors: string[];

const chatLink = (params: Record<string, string>): string => session.link('chat', params);

const open = (url: string): Promise<void> => session.open(url);

beforeAll(async () => {
  expect((await ensureBuilt()).indexPassages).toBeGreaterThan(0);
  session = await startAppSession();
  ({ preview, server, page, errors } = session);
}, 240_000);

afterAll(async () => {
  await session?.close();
});

describe('the playground app', () => {
  it('loads without console errors and without the model or Python bundles', async () => {
    const scripts: string[] = [];
    page.on('request', (r) => {
      if (r.resourceType() === 'script') scripts.push(new URL(r.url()).pathname);
    });
    await open(preview.url);
    await expect.poll(() => page.getByLabel('Question', { exact: true }).isVisible()).toBe(true);
    await page.waitForLoadState('networkidle');
    expect(scripts.some((s) => /webllm|pyodide|render|runtime|execute-run/.test(s))).toBe(false);
    // Labelled controls: every one is reachable by its label.
    for (const label of ['Question', 'Engine', 'Model']) {
      expect(await page.getByLabel(label, { exact: true }).count()).toBe(1);
    }
    await expect
      .poll(() => page.getByTestId('webgpu-status').getAttribute('data-status'))
      .not.toBe('checking');
    await screenshot(page, 'chat-empty');
    expect(errors).toEqual([]);
  });

  it('runs a deep-linked agent question with real Pyodide and the real index', async () => {
    server.push(SEARCH_STEP, ANSWER_STEP);
    const before = server.completionRequests().length;
    await open(chatLink({ q: QUESTION, mode: 'agent', run: '1' }));
    const answer = page.getByTestId('final-answer');
    await answer.waitFor({ timeout: 120_000 });
    expect(await answer.innerText()).toContain('Jacobo Morales');
    const steps = page.getByTestId('step');
    expect(await steps.count()).toBe(2);
    const first = steps.nth(0);
    expect(await first.locator('pre.code').innerText()).toContain('web_search(');
    // Passages from the index, by title, expandable to their text.
    const passages = first.getByLabel('Retrieved passages');
    expect(await passages.innerText()).toContain('...And God Created Them');
    await passages.locator('summary').first().click();
    expect(await passages.innerText()).toContain('Jacobo Morales');
    expect(await first.locator('pre.observation').innerText()).toContain('Retrieved documents');
    // What the model was sent: the real observation of step 1, in the protocol's shape.
    const sent = server.completionRequests().slice(before);
    expect(sent).toHaveLength(2);
    const messages = sent[1]?.body.messages as { role: string; content: string }[];
    expect(messages.at(-1)?.content).toMatch(
      /^Call id: call_1\nObservation:\nExecution logs:\n\nRetrieved documents:/,
    );
    expect(page.url()).toContain('q=');
    const rerun = await page
      .getByRole('link', { name: 'Link to rerun this question' })
      .getAttribute('href');
    expect(rerun).toMatch(/^#\/chat\?q=Who\+directed.*&engine=openai.*&run=1$/);
    await screenshot(page, 'chat-agent-run');
    expect(errors).toEqual([]);
  }, 180_000);

  it('shows SAG candidates and the vote', async () => {
    const odd = ['Thought: compute.', '```py', 'x = 41', 'print(x)', '```'].join('\n');
    const good = ['Thought: compute.', '```py', 'x = 6 * 7', 'print(x)', '```'].join('\n');
    const broken = ['Thought: compute.', '```py', 'x = 1 / 0', '```'].join('\n');
    const done = ['Thought: done.', '```py', 'final_answer(x)', '```'].join('\n');
    server.push([good, odd, good, broken], [done, done, done, done]);
    await open(chatLink({ q: 'What is 6 times 7?', mode: 'agent', samples: '4', run: '1' }));
    await page.getByTestId('final-answer').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('final-answer').innerText()).toContain('42');
    const vote = page.getByLabel('Self-consistent vote').first();
    const text = await vote.innerText();
    expect(text).toContain('Vote over 4/4 candidates');
    expect(text).toMatch(/2×\s*#1: 42/);
    expect(text).toMatch(/1×\s*#2: 41/);
    expect(text).toContain('invalid');
    expect(text).toContain('chosen');
    await screenshot(page, 'chat-sag-vote');
    expect(errors).toEqual([]);
  }, 120_000);

  it('sends the seed set in the settings with every request, and puts it in the rerun link', async () => {
    const done = ['Thought: done.', '```py', 'final_answer(6 * 7)', '```'].join('\n');
    server.push([done, done]);
    const before = server.completionRequests().length;
    await open(chatLink({ q: 'Seeded: what is 6 times 7?', mode: 'agent', samples: '2' }));
    await page.getByText('Prompt and sampling').click();
    const seed = page.getByLabel('Seed', { exact: true });
    await seed.fill('-3');
    await seed.press('Tab');
    // Not a seed: the field goes back to blank (random) rather than sending something odd.
    expect(await seed.inputValue()).toBe('');
    await seed.fill('5');
    await seed.press('Tab');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.getByTestId('final-answer').waitFor({ timeout: 60_000 });
    const sent = server.completionRequests().slice(before);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.map((r) => r.body.seed)).toEqual(sent.map(() => 5));
    const rerun = await page
      .getByRole('link', { name: 'Link to rerun this question' })
      .getAttribute('href');
    expect(rerun).toContain('seed=5');
    expect(errors).toEqual([]);
  }, 60_000);

  it('renders the answer as markdown with KaTeX math', async () => {
    server.push('Half of one is a half.\n<answer>**Half**: $\\frac{1}{2}$</answer>');
    await open(chatLink({ q: 'What is half of one?', mode: 'cot', run: '1' }));
    const answer = page.getByTestId('final-answer');
    await answer.waitFor({ timeout: 30_000 });
    await answer.locator('.katex').first().waitFor();
    expect(await answer.locator('strong').innerText()).toBe('Half');
    expect(await answer.locator('annotation').first().textContent()).toBe('\\frac{1}{2}');
    expect(errors).toEqual([]);
  }, 60_000);

  it('stops a run while the model is generating', async () => {
    server.push({ choices: ['<answer>late</answer>'], delayMs: 30_000 });
    const before = server.completionRequests().length;
    await open(chatLink({ q: 'A slow question', mode: 'cot', run: '1' }));
    const stop = page.getByRole('button', { name: 'Stop' });
    await page.getByTestId('step').first().waitFor({ timeout: 30_000 });
    // Stop once the server holds the request, so the test stops a generation in flight.
    await expect.poll(() => server.completionRequests().length).toBe(before + 1);
    // The run survives a visit to another view, which will not start a second one meanwhile.
    await page.getByRole('navigation').getByRole('link', { name: 'Compare' }).click();
    await page.getByText('A run is going in chat').waitFor();
    expect(await page.getByRole('button', { name: 'Run A then B' }).isDisabled()).toBe(true);
    await page.getByRole('navigation').getByRole('link', { name: 'Chat' }).click();
    await page.getByTestId('step').first().waitFor();
    const t0 = Date.now();
    await stop.click();
    await page.locator('[data-status="aborted"]').waitFor({ timeout: 5_000 });
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(await page.getByRole('button', { name: 'Run' }).isEnabled()).toBe(true);
    expect(await page.getByLabel('Run statistics').innerText()).toContain('stopped');
    expect(await page.getByTestId('step').first().innerText()).toContain('stopped');
    expect(errors).toEqual([]);
  }, 60_000);

  it('stops a run while Python is running', async () => {
    server.push(['Thought: loop.', '```py', 'while True:', '    pass', '```'].join('\n'));
    await open(chatLink({ q: 'Loop forever', mode: 'agent', pythonTimeoutS: '120', run: '1' }));
    await page.getByText('running Python…').waitFor({ timeout: 60_000 });
    const t0 = Date.now();
    await page.getByRole('button', { name: 'Stop' }).click();
    await page.locator('[data-status="aborted"]').waitFor({ timeout: 10_000 });
    expect(Date.now() - t0).toBeLessThan(10_000);
    const step = page.getByTestId('step').first();
    expect(await step.innerText()).toContain('stopped');
    expect(await step.locator('pre.code').innerText()).toContain('while True:');
    await screenshot(page, 'chat-stopped');
    expect(errors).toEqual([]);
  }, 90_000);

  it('compares CoT and agent side by side with the gold answer', async () => {
    server.push(
      'The film was made in Puerto Rico; I believe its director was Jacobo Morales.\n<answer>Jacobo Morales</answer>',
      SEARCH_STEP,
      ANSWER_STEP,
    );
    const q = new URLSearchParams({
      q: QUESTION,
      gold: 'Jacobo Morales',
      engine: 'openai',
      baseUrl: server.baseUrl,
      modelName: 'fake-model',
      'a.mode': 'cot',
      'b.mode': 'agent',
      run: '1',
    });
    await open(`${preview.url}#/compare?${q.toString()}`);
    await page.getByTestId('run-b').getByTestId('final-answer').waitFor({ timeout: 120_000 });
    const a = await page.getByTestId('summary-a').innerText();
    const b = await page.getByTestId('summary-b').innerText();
    expect(a).toContain('CoT');
    expect(a).toContain('Jacobo Morales');
    expect(a).toContain('correct');
    expect(b).toContain('agent');
    expect(b).toContain('correct');
    expect(b).toMatch(/\b2\b/);
    expect(await page.getByTestId('run-b').getByTestId('step').count()).toBe(2);
    await screenshot(page, 'compare');
    expect(errors).toEqual([]);
  }, 180_000);

  it('lists cached model files with their size and deletes them', async () => {
    await open(`${preview.url}#/models`);
    // What web-llm leaves in the Cache API after a (tiny) download of one model.
    await page.evaluate(async () => {
      const base = 'https://huggingface.co/mlc-ai/Qwen2.5-0.5B-Instruct-q4f32_1-MLC/resolve/main/';
      const shard = new Uint8Array(3 * 1024 * 1024);
      const model = await caches.open('webllm/model');
      await model.put(
        base + 'tensor-cache.json',
        new Response(
          JSON.stringify({ records: [{ dataPath: 'params_shard_0.bin', nbytes: shard.length }] }),
        ),
      );
      await model.put(base + 'params_shard_0.bin', new Response(shard));
      await model.put(base + 'tokenizer.json', new Response('{}'));
      const config = await caches.open('webllm/config');
      await config.put(base + 'mlc-chat-config.json', new Response('{}'));
    });
    await open(`${preview.url}#/models`);
    const row = page.getByRole('row', { name: /Qwen2.5 0.5B Instruct \(q4f32_1\)/ });
    await expect.poll(() => row.innerText()).toContain('3 MB');
    page.once('dialog', (d) => void d.accept());
    await row.getByRole('button', { name: /Delete/ }).click();
    // Deleting and re-reading the cache can take over poll's default second on a busy machine.
    await expect.poll(() => row.innerText(), { timeout: 15_000 }).not.toContain('3 MB');
    expect(await row.getByRole('button', { name: /Delete/ }).count()).toBe(0);
    const left = await page.evaluate(async () => {
      const keys = await Promise.all(
        ['webllm/model', 'webllm/config'].map(async (s) => (await caches.open(s)).keys()),
      );
      return keys.flat().length;
    });
    expect(left).toBe(0);
    expect(errors).toEqual([]);
  }, 60_000);

  it('switches to the dark theme and lists models with the WebGPU verdict', async () => {
    const background = (): Promise<string> =>
      page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const [light, dark] = ['rgb(247, 247, 245)', 'rgb(20, 21, 24)'];
    // "System" follows the OS; the switch then goes light, then dark, whatever the OS says.
    await page.emulateMedia({ colorScheme: 'dark' });
    await open(`${preview.url}#/models`);
    expect(await background()).toBe(dark);
    await page.getByRole('button', { name: /Switch theme/ }).click();
    expect(await background()).toBe(light);
    await page.getByRole('button', { name: /Switch theme/ }).click();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await page.emulateMedia({ colorScheme: 'light' });
    expect(await background()).toBe(dark);
    await expect
      .poll(() => page.getByTestId('webgpu-status').getAttribute('data-status'))
      .not.toBe('checking');
    const rows = page.getByRole('table').locator('tbody tr');
    expect(await rows.count()).toBe(registryModels);
    await screenshot(page, 'models-dark');
    // Keyboard: the nav links are reachable with Tab and follow Enter.
    await open(`${preview.url}#/models`);
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press('Tab');
      if ((await page.evaluate(() => document.activeElement?.textContent)) === 'Chat') break;
    }
    await page.keyboard.press('Enter');
    await expect.poll(() => page.url()).toContain('#/chat');
    expect(errors).toEqual([]);
  }, 60_000);
});
