/**
 * Presentation mode in real Chromium: the demo deck served by the built app, the presenter's
 * keys, a recorded run replayed to its answer without a model, a live question answered by a
 * scripted OpenAI-compatible server, and decks that cannot be opened.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import {
  ROOT,
  screenshot,
  type Preview,
  startAppSession,
  type AppSession,
} from './helpers/app-server.ts';
import { type FakeOpenAIServer } from '../helpers/fake-openai-server.ts';

const DEMO = '/examples/demo-deck.json';

let session: AppSession;
let preview: Preview;
let server: FakeOpenAIServer;
let page: Page;
let errors: string[];

const open = (hash: string): Promise<void> => session.open(`${preview.url}${hash}`);

const counter = () => page.getByTestId('present-counter').innerText();
const question = () => page.getByTestId('present-question').innerText();
const steps = () => page.getByTestId('step');

beforeAll(async () => {
  session = await startAppSession();
  ({ preview, server, page, errors } = session);
}, 240_000);

afterAll(async () => {
  await session?.close();
});

describe('presentation mode', () => {
  it('serves the example deck as committed in examples/', async () => {
    const res = await fetch(new URL(DEMO, preview.url));
    expect(res.ok).toBe(true);
    expect(await res.text()).toBe(readFileSync(join(ROOT, 'examples/demo-deck.json'), 'utf8'));
  });

  it('opens a deck from its URL with the keys working at once', async () => {
    await open(`#/present?deck=${DEMO}`);
    await page.getByTestId('present-item').waitFor();
    expect(await counter()).toBe('1 / 3');
    expect(await question()).toContain('Eiffel Tower');
    expect(await page.getByTestId('present-item').getAttribute('data-kind')).toBe('question');
    // The normal header is covered; the key hint is on screen.
    expect(await page.getByTestId('present-keys').innerText()).toContain('next question');
    expect(
      await page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? null),
    ).toBe('present');
    await screenshot(page, 'present-live-question');
    expect(errors).toEqual([]);
  });

  it('goes full screen with f and leaves it with Escape', async () => {
    await open(`#/present?deck=${DEMO}`);
    await page.getByTestId('present-item').waitFor();
    const fullscreen = () =>
      page.evaluate(() => document.fullscreenElement?.getAttribute('data-testid') ?? null);
    await page.keyboard.press('f');
    await expect.poll(fullscreen).toBe('present');
    await expect
      .poll(() => page.getByRole('button', { name: 'Leave full screen' }).count())
      .toBe(1);
    // The key legend makes room on the big screen; the keys still work in full screen.
    await expect.poll(() => page.getByTestId('present-keys').count()).toBe(0);
    await page.keyboard.press('n');
    expect(await counter()).toBe('2 / 3');
    await page.keyboard.press('Escape');
    await expect.poll(fullscreen).toBe(null);
    await expect.poll(() => page.getByTestId('present-keys').count()).toBe(1);
    expect(errors).toEqual([]);
  });

  it('moves step by step and question by question with the keyboard', async () => {
    await open(`#/present?deck=${DEMO}`);
    await page.getByTestId('present-item').waitFor();
    await page.keyboard.press('n');
    expect(await counter()).toBe('2 / 3');
    expect(await page.getByTestId('present-item').getAttribute('data-kind')).toBe('run');
    expect(await steps().count()).toBe(0);
    const progress = page.getByTestId('present-progress');
    expect(await progress.innerText()).toMatch(/^0 \/ \d+ revealed$/);

    // → reveals the thought of step 1, then its code, then its observation.
    await page.keyboard.press('ArrowRight');
    expect(await steps().count()).toBe(1);
    expect(await steps().first().innerText()).toContain('I will look up both heights');
    expect(await steps().first().innerText()).not.toContain('Code:');
    expect(await steps().first().locator('pre.code').count()).toBe(0);
    await screenshot(page, 'present-replay-thought');
    await page.keyboard.press('PageDown');
    expect(await steps().first().locator('pre.code').innerText()).toContain('web_search(');
    expect(await steps().first().locator('pre.observation').count()).toBe(0);
    await page.keyboard.press('ArrowRight');
    await steps().first().locator('pre.observation').waitFor();
    expect(await steps().first().locator('pre.observation').innerText()).toContain('330 metres');
    expect(await progress.innerText()).toMatch(/^3 \/ \d+ revealed$/);
    await page.keyboard.press('ArrowRight');
    expect(await steps().count()).toBe(2);
    await screenshot(page, 'present-replay-steps');

    // ← takes reveals back, one at a time.
    await page.keyboard.press('ArrowLeft');
    expect(await steps().count()).toBe(1);
    await page.keyboard.press('PageUp');
    expect(await steps().first().locator('pre.observation').count()).toBe(0);
    expect(await steps().first().locator('pre.code').count()).toBe(1);

    // Questions: Shift+→ / Shift+← and n / p.
    await page.keyboard.press('Shift+ArrowRight');
    expect(await counter()).toBe('3 / 3');
    expect(await question()).toContain('first 100 prime numbers');
    await page.keyboard.press('n');
    expect(await counter()).toBe('3 / 3');
    await page.keyboard.press('Shift+ArrowLeft');
    expect(await counter()).toBe('2 / 3');
    expect(await steps().count()).toBe(0);
    await page.keyboard.press('p');
    expect(await counter()).toBe('1 / 3');
    expect(errors).toEqual([]);
  });

  it('plays a recorded run to its final answer, at the speed chosen with + and -', async () => {
    await open(`#/present?deck=${DEMO}`);
    await page.getByTestId('present-item').waitFor();
    await page.keyboard.press('n');
    const speed = page.getByTestId('present-speed');
    expect(await speed.innerText()).toBe('1.5×');
    await page.keyboard.press('-');
    await page.keyboard.press('-');
    expect(await speed.innerText()).toBe('0.75×');
    await page.keyboard.press('+');
    expect(await speed.innerText()).toBe('1×');

    // Slowed right down, the first output streams in as it did when recorded; Space pauses.
    for (let i = 0; i < 5; i++) await page.keyboard.press('-');
    // 0.1× is the slowest: the fifth press changes nothing.
    expect(await speed.innerText()).toBe('0.1×');
    await page.keyboard.press('Space');
    const stream = steps().first().locator('pre.stream');
    await stream.waitFor({ timeout: 5_000 });
    await expect.poll(() => stream.innerText(), { timeout: 5_000 }).toContain('Thought');
    expect(await steps().first().innerText()).toContain('generating…');
    await page.keyboard.press('Space');
    const paused = await stream.innerText();
    await new Promise((r) => setTimeout(r, 400));
    expect(await stream.innerText()).toBe(paused);
    expect(paused.length).toBeLessThan(
      'Thought: I will look up both heights.\nCode:\n```py'.length + 40,
    );
    await screenshot(page, 'present-replay-playing');
    // → completes what was streaming before it reveals anything new.
    await page.keyboard.press('ArrowRight');
    expect(await stream.count()).toBe(0);
    expect(await steps().first().innerText()).toContain('I will look up both heights');
    expect(await steps().first().locator('pre.code').count()).toBe(0);
    for (let i = 0; i < 4; i++) await page.keyboard.press('+');
    expect(await speed.innerText()).toBe('1×');
    // Every reveal holds for its reading time (~30 s for this run at 1×): play it at 5×.
    for (let i = 0; i < 4; i++) await page.keyboard.press('+');
    expect(await speed.innerText()).toBe('5×');
    await page.keyboard.press('Space');
    expect(await page.getByTestId('final-answer').count()).toBe(0);
    const answer = page.getByTestId('final-answer');
    await answer.waitFor({ timeout: 20_000 });
    expect(await answer.innerText()).toContain('237 metres');
    expect(await steps().count()).toBe(3);
    expect(await page.getByLabel('Run statistics').innerText()).toContain('answered');
    const progress = await page.getByTestId('present-progress').innerText();
    const [done, total] = progress.split(' ').filter((w) => /^\d+$/.test(w));
    expect(done).toBe(total);
    expect(await page.getByRole('button', { name: 'Replay' }).count()).toBe(1);
    await screenshot(page, 'present-replay-done');

    // The dark theme keeps its own high-contrast colours.
    await page.evaluate(() => localStorage.setItem('sap.theme', 'dark'));
    await page.reload();
    await page.getByTestId('present-item').waitFor();
    await page.keyboard.press('n');
    for (let i = 0; i < 3; i++) await page.keyboard.press('+');
    await page.keyboard.press('Space');
    await page.getByTestId('final-answer').waitFor({ timeout: 20_000 });
    const bg = await page
      .getByTestId('present')
      .evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(bg).toBe('rgb(0, 0, 0)');
    await screenshot(page, 'present-dark');
    await page.evaluate(() => localStorage.removeItem('sap.theme'));
    expect(errors).toEqual([]);
  }, 60_000);

  it('lists what each item needs before the talk, and falls back to the recorded run', async () => {
    await open(`#/present?deck=${DEMO}`);
    // No model is loaded here: the preflight opens by itself and says so.
    const panel = page.getByTestId('deck-preflight');
    await panel.waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('preflight-summary').innerText()).toContain('2 live items miss');
    const rows = page.getByTestId('preflight-row');
    expect(await rows.count()).toBe(3);
    expect(await rows.nth(0).getAttribute('data-ready')).toBe('no');
    expect(await rows.nth(0).locator('[data-need="model"]').getAttribute('data-state')).toBe(
      'missing',
    );
    expect(await rows.nth(0).innerText()).toContain('load it in Models');
    expect(await rows.nth(0).getByTestId('preflight-fallback').innerText()).toContain('item 2');
    expect(await rows.nth(1).getAttribute('data-ready')).toBe('yes');
    expect(await rows.nth(1).innerText()).toContain('nothing');
    const third = rows.nth(2);
    expect(
      await third
        .locator('[data-need]')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-need'))),
    ).toEqual(['model', 'index', 'python']);
    // The app under test serves an index.
    expect(await third.locator('[data-need="index"]').getAttribute('data-state')).toBe('ok');
    expect(await third.getByTestId('preflight-fallback').count()).toBe(0);
    await screenshot(page, 'present-preflight');
    await panel.getByRole('button', { name: 'Close' }).click();
    expect(await panel.count()).toBe(0);
    // The live question offers its recording instead.
    await page.getByTestId('present-fallback').click();
    expect(await counter()).toBe('2 / 3');
    expect(await page.getByTestId('present-item').getAttribute('data-kind')).toBe('run');
    // The bar's Preflight button checks again.
    await page.getByRole('button', { name: 'Preflight' }).click();
    await panel.waitFor();
    expect(errors).toEqual([]);
  });

  it('runs a live question for real with the chat settings', async () => {
    await open('#/chat');
    await page.evaluate(
      (baseUrl) =>
        localStorage.setItem(
          'sap.settings',
          JSON.stringify({ engine: 'openai', baseUrl, modelName: 'fake-model' }),
        ),
      server.baseUrl,
    );
    server.push('The Eiffel Tower is 330 m; the statue is 93 m.\n<answer>237 metres</answer>');
    const before = server.completionRequests().length;
    await open(`#/present?deck=${DEMO}`);
    await page.getByTestId('present-item').waitFor();
    expect(await page.getByTestId('present-item').innerText()).toContain('fake-model');
    await page.keyboard.press('Space');
    const answer = page.getByTestId('final-answer');
    await answer.waitFor({ timeout: 30_000 });
    expect(await answer.innerText()).toContain('237 metres');
    const sent = server.completionRequests().slice(before);
    expect(sent).toHaveLength(1);
    const messages = sent[0]?.body.messages as { role: string; content: string }[];
    expect(messages.at(-1)?.content).toContain('Eiffel Tower');
    await screenshot(page, 'present-live-answered');
    // → brings each step of a live run into view, then moves on once the run is over.
    await page.keyboard.press('ArrowRight');
    expect(await counter()).toBe('1 / 3');
    await page.keyboard.press('ArrowRight');
    expect(await counter()).toBe('2 / 3');
    // Coming back shows how the live run ended.
    await page.keyboard.press('p');
    expect(await page.getByTestId('final-answer').innerText()).toContain('237 metres');
    await page.evaluate(() => localStorage.removeItem('sap.settings'));
    expect(errors).toEqual([]);
  }, 60_000);

  it('says clearly why a deck cannot be opened', async () => {
    await page.route('**/bad-deck.json', (route) =>
      route.fulfill({
        contentType: 'application/json',
        body: JSON.stringify({
          format: 'small-agent-playground/deck',
          version: 1,
          title: 'Broken',
          items: [{ type: 'question', question: 'Why?', mode: 'agent', sample: 3 }],
        }),
      }),
    );
    const alert = page.getByTestId('present-error');
    await open('#/present?deck=/bad-deck.json');
    await alert.waitFor();
    expect(await alert.innerText()).toContain(
      'This deck cannot be opened: deck.items[0].sample is not a deck field.',
    );
    await screenshot(page, 'present-error');

    await open('#/present?deck=http://[not-a-host');
    await alert.waitFor();
    expect(await alert.innerText()).toContain('is not a deck address');

    await open('#/present?deck=/examples/no-such-deck.json');
    await alert.waitFor();
    expect(await alert.innerText()).toMatch(
      /no-such-deck\.json(?: could not be loaded: the server answered 404|: the server answered with a web page)/,
    );
    await page.route('**/saved-run-deck.json', (route) =>
      route.fulfill({
        contentType: 'application/json',
        body: JSON.stringify({
          format: 'small-agent-playground/deck',
          version: 1,
          title: 'From history',
          items: [{ type: 'saved-run', id: 'not-saved-here' }],
        }),
      }),
    );
    await open('#/present?deck=/saved-run-deck.json');
    await alert.waitFor();
    expect(await alert.innerText()).toContain(
      "refers to 1 saved run(s) that are not in this browser's history: not-saved-here",
    );

    // The picker stays there to open another deck.
    expect(await page.getByLabel('Deck file').count()).toBe(1);
    // The missing deck's 404 (Chromium's console line may not name the URL).
    errors.splice(
      0,
      errors.length,
      ...errors.filter((e) => !e.includes('no-such-deck') && !e.includes('status of 404')),
    );
    expect(errors).toEqual([]);
  });

  it('opens a deck file picked on #/present', async () => {
    await open('#/present');
    await page.getByLabel('Deck file').setInputFiles(join(ROOT, 'examples/demo-deck.json'));
    await page.getByTestId('present-item').waitFor();
    expect(await counter()).toBe('1 / 3');
    // Focus went back to the presentation, so the keys work without a click.
    await page.keyboard.press('n');
    expect(await counter()).toBe('2 / 3');
    expect(errors).toEqual([]);
  });
});
