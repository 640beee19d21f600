/**
 * Every view, filled with real content, at desktop and phone width in real Chromium: nothing
 * scrolls sideways (the page is no wider than the window, and no element reaches past its right
 * edge unless a scrolling box that fits holds it). Screenshots go to test-results/screenshots.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ensureBuilt, screenshot, startAppSession, type AppSession } from './helpers/app-server.ts';
import type { FakeOpenAIServer, RecordedRequest } from '../helpers/fake-openai-server.ts';

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };

let session: AppSession;
let server: FakeOpenAIServer;
let page: Page;
let errors: string[];

const LONG = 'https://example.org/' + 'a-very-long-unbroken-path-segment'.repeat(6);
const fence = (thought: string, code: string): string =>
  `Thought: ${thought}\nCode:\n\`\`\`py\n${code}\n\`\`\``;

/** Answers any question: agent tasks in two steps (the second with a long answer), CoT at once. */
function reply(req: RecordedRequest): string {
  const messages = (req.body.messages ?? []) as { role: string; content: string }[];
  const agent = messages.some((m) => m.content.startsWith('New task:'));
  if (!agent) return `The answer is 42, see ${LONG}.\n<answer>42</answer>`;
  const stepsSoFar = messages.filter((m) => m.role === 'assistant').length;
  return stepsSoFar % 2 === 0
    ? fence(
        `Compute it and look it up: ${LONG}`,
        `values = [${Array.from({ length: 40 }, (_, i) => i * 1234567).join(', ')}]\nprint(sum(values))`,
      )
    : fence('Done.', `final_answer("42 (${LONG})")`);
}

beforeAll(async () => {
  await ensureBuilt();
  session = await startAppSession({ fallback: reply });
  ({ server, page, errors } = session);
}, 240_000);

afterAll(async () => {
  await session?.close();
});

interface Overflow {
  scrollWidth: number;
  width: number;
  offenders: string[];
}

/** The page's width against the window's, and the elements that stick out to the right. */
function overflow(p: Page): Promise<Overflow> {
  return p.evaluate(() => {
    const width = window.innerWidth;
    const fits = (el: Element): boolean => el.getBoundingClientRect().right <= width + 1;
    const offenders: string[] = [];
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect();
      if ((r.width === 0 && r.height === 0) || fits(el)) continue;
      // Held by a box that scrolls or clips and itself fits: that box scrolls, not the page.
      let clipped = false;
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
        if (getComputedStyle(a).overflowX !== 'visible' && fits(a)) {
          clipped = true;
          break;
        }
      }
      if (clipped) continue;
      const name =
        el.tagName.toLowerCase() +
        (el.id ? `#${el.id}` : '') +
        (el.classList.length ? `.${[...el.classList].join('.')}` : '') +
        (el.getAttribute('data-testid') ? `[${el.getAttribute('data-testid')}]` : '');
      offenders.push(`${name} (right ${Math.round(r.right)} > ${width})`);
    }
    return { scrollWidth: document.documentElement.scrollWidth, width, offenders };
  });
}

async function check(name: string): Promise<void> {
  for (const [label, size] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const) {
    await page.setViewportSize(size);
    await page.waitForTimeout(150);
    const o = await overflow(page);
    await screenshot(page, `layout-${name}-${label}`);
    expect(o.offenders.slice(0, 8), `${name} at ${label} width`).toEqual([]);
    expect(o.scrollWidth, `${name} at ${label} width`).toBeLessThanOrEqual(o.width);
  }
  await page.setViewportSize(DESKTOP);
}

describe('every view fits a phone', () => {
  it('chat with an agent run, the vote and a follow-up', async () => {
    await page.setViewportSize(PHONE);
    await session.open(session.link('chat', { q: 'Sum these?', mode: 'agent', samples: '2' }));
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.getByTestId('final-answer').waitFor({ timeout: 120_000 });
    // On a phone the view followed the run down to its answer.
    await expect
      .poll(() =>
        page.getByTestId('final-answer').evaluate((el) => {
          const r = el.getBoundingClientRect();
          return r.top < window.innerHeight && r.bottom > 0;
        }),
      )
      .toBe(true);
    await page.getByLabel('Question', { exact: true }).fill('And again?');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await expect.poll(() => page.getByTestId('turn').count(), { timeout: 60_000 }).toBe(1);
    await page.getByTestId('final-answer').waitFor({ timeout: 120_000 });
    await page.getByText('Prompt and sampling').click();
    await page.getByTestId('exact-requests').locator('summary').click();
    await page.getByText('All candidates').first().click();
    await check('chat');
    // The list of keys fits too.
    await page.setViewportSize(PHONE);
    await page.locator('body').press('?');
    await page.getByTestId('shortcuts').waitFor();
    expect((await overflow(page)).offenders).toEqual([]);
    await page.keyboard.press('Escape');
  }, 240_000);

  it('compare with both panes and the summary', async () => {
    await session.open(
      session.link('compare', {
        q: 'Compare me?',
        gold: '42',
        'a.mode': 'cot',
        'b.mode': 'agent',
        run: '1',
      }),
    );
    await page.getByTestId('run-b').getByTestId('final-answer').waitFor({ timeout: 120_000 });
    await check('compare');
  }, 180_000);

  it('history, its list and a saved run', async () => {
    await session.open(`${session.preview.url}#/history`);
    await page.getByTestId('history-row').first().waitFor({ timeout: 10_000 });
    await check('history');
    await page.getByTestId('history-row').first().getByRole('link').first().click();
    await page.getByTestId('history-run').waitFor();
    await check('history-run');
  }, 60_000);

  it('models, present and benchmark', async () => {
    await session.open(`${session.preview.url}#/models`);
    await page.getByRole('table').first().waitFor();
    await check('models');
    await session.open(`${session.preview.url}#/present?deck=/examples/demo-deck.json`);
    await page.waitForTimeout(1000);
    await check('present');
    await session.open(session.link('bench', { mode: 'cot', n: '2', sample: 'first' }));
    await page.getByLabel('Benchmark file').waitFor();
    await page.setInputFiles('#bench-file', {
      name: 'tiny.json',
      mimeType: 'application/json',
      buffer: Buffer.from(
        JSON.stringify({
          examples: [
            { id: 'a', question: `Layout probe one ${LONG}?`, answer: '42' },
            { id: 'b', question: 'Layout probe two?', answer: '7' },
          ],
        }),
      ),
    });
    await page.getByRole('button', { name: 'Run 2 questions' }).click();
    await expect
      .poll(() => page.getByTestId('bench-status').innerText(), { timeout: 120_000 })
      .toBe('Finished');
    await check('bench');
    expect(errors).toEqual([]);
    expect(server.completionRequests().length).toBeGreaterThan(0);
  }, 240_000);
});
