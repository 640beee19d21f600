/**
 * A conversation in the built app, in real Chromium, against a scripted OpenAI-compatible server:
 * follow-ups continue the agent's memory (the exact bytes the server receives), a deep link asks
 * several questions, the conversation is one saved run, and model output cannot restyle the page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ensureBuilt, screenshot, startAppSession, type AppSession } from './helpers/app-server.ts';
import type { FakeOpenAIServer } from '../helpers/fake-openai-server.ts';

const fence = (thought: string, code: string): string =>
  `Thought: ${thought}\nCode:\n\`\`\`py\n${code}\n\`\`\``;

let session: AppSession;
let server: FakeOpenAIServer;
let page: Page;
let errors: string[];

beforeAll(async () => {
  await ensureBuilt();
  session = await startAppSession();
  ({ server, page, errors } = session);
}, 240_000);

afterAll(async () => {
  await session?.close();
});

type Sent = { role: string; content: string }[];

function chatLink(questions: string[], extra: Record<string, string> = {}): string {
  const base = new URL(session.link('chat', { mode: 'agent', ...extra }));
  const params = new URLSearchParams(base.hash.replace(/^#\/chat\?/, ''));
  for (const q of questions) params.append('q', q);
  return `${base.origin}${base.pathname}#/chat?${params.toString()}`;
}

describe('a conversation in Chat', () => {
  it('continues the agent memory on a follow-up and saves the conversation as one run', async () => {
    server.push(
      fence('Store it.', 'base = 20\nprint(base)'),
      fence('Answer.', 'final_answer(base + 1)'),
      fence('Double the stored value.', 'final_answer(base * 2)'),
    );
    const before = server.completionRequests().length;
    await session.open(chatLink(['Start from twenty, plus one?'], { run: '1' }));
    await page.getByTestId('final-answer').waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('final-answer').innerText()).toContain('21');

    // The question box now asks a follow-up in this conversation.
    expect(await page.getByTestId('follow-up-hint').innerText()).toContain('Follow-up');
    const box = page.getByLabel('Question', { exact: true });
    await box.fill('And twice the base?');
    await box.press('Control+Enter');
    await expect.poll(() => page.getByTestId('turn').count(), { timeout: 60_000 }).toBe(1);
    await expect
      .poll(() => page.getByTestId('final-answer').innerText(), { timeout: 60_000 })
      .toContain('40');
    // The earlier question stays on screen with its steps and answer.
    const earlier = page.getByTestId('turn');
    expect(await earlier.innerText()).toContain('Start from twenty, plus one?');
    expect(await earlier.getByTestId('turn-answer').innerText()).toContain('21');
    expect(await page.getByTestId('current-question').innerText()).toContain('And twice the base?');

    // The follow-up request: the whole first task, then the new task in the same user turn.
    const sent = server.completionRequests().slice(before);
    expect(sent).toHaveLength(3);
    const messages = sent[2]?.body.messages as Sent;
    const first = sent[0]?.body.messages as Sent;
    expect(messages.slice(0, 2)).toEqual(first);
    expect(messages[2]).toEqual({
      role: 'assistant',
      content: fence('Store it.', 'base = 20\nprint(base)') + '<end_code>',
    });
    expect(messages[3]?.content).toBe(
      'Call id: call_1\nObservation:\nExecution logs:\n20\nLast output from code snippet:\nNone',
    );
    expect(messages[5]?.content).toMatch(
      /^Call id: call_2\nObservation:\nExecution logs:\nLast output from code snippet:\n21New task:\nAnd twice the base\?/,
    );
    expect(messages).toHaveLength(6);
    // Step numbers start again; the call id goes on (call_4).
    const step = page.getByTestId('step').last();
    expect(await step.locator('h3').innerText()).toBe('Step 1');
    expect(await step.locator('pre.observation').innerText()).toContain('Call id: call_4');
    const rerun = await page
      .getByRole('link', { name: 'Link to rerun this conversation' })
      .getAttribute('href');
    expect(new URLSearchParams(rerun?.split('?')[1]).getAll('q')).toEqual([
      'Start from twenty, plus one?',
      'And twice the base?',
    ]);
    // The context meter counts the conversation (this server does not say its window).
    expect(await page.getByTestId('context-meter').innerText()).toMatch(
      /Context: ~?[\d,]+\s+tokens/,
    );
    await screenshot(page, 'chat-follow-up');

    // One saved run in History, with both questions.
    await page.getByRole('navigation').getByRole('link', { name: 'History' }).click();
    const rows = page.getByTestId('history-row').filter({ hasText: 'Start from twenty' });
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(1);
    expect(await rows.first().getByTestId('history-follow-ups').innerText()).toBe('+1 follow-up');
    await rows.first().getByRole('link').first().click();
    const saved = page.getByTestId('history-run');
    await saved.waitFor();
    await expect.poll(() => saved.getByTestId('turn').count()).toBe(1);
    expect(await saved.getByTestId('final-answer').innerText()).toContain('40');

    // Replayed from History: both questions again, through real Python, with no model call.
    const calls = server.completionRequests().length;
    await saved.getByRole('button', { name: 'Replay in Chat' }).click();
    await expect.poll(() => page.getByTestId('turn').count(), { timeout: 120_000 }).toBe(1);
    await expect
      .poll(
        () =>
          page
            .getByTestId('final-answer')
            .innerText()
            .catch(() => ''),
        {
          timeout: 120_000,
        },
      )
      .toContain('40');
    expect(await page.getByTestId('turn').getByTestId('turn-answer').innerText()).toContain('21');
    expect(server.completionRequests()).toHaveLength(calls);
    expect(errors).toEqual([]);
  }, 240_000);

  it('asks every question of a deep link in turn, and New chat starts from nothing', async () => {
    server.push(
      fence('Keep it.', 'k = 7\nfinal_answer(k)'),
      fence('Use it.', 'final_answer(k * 6)'),
      fence('Fresh.', 'final_answer(k)'),
      fence('Fresh again.', 'final_answer(1)'),
    );
    const before = server.completionRequests().length;
    await session.open(chatLink(['Seven?', 'Times six?'], { run: '1' }));
    await expect
      .poll(
        () =>
          page
            .getByTestId('final-answer')
            .innerText()
            .catch(() => ''),
        {
          timeout: 120_000,
        },
      )
      .toContain('42');
    const sent = server.completionRequests().slice(before);
    expect(sent).toHaveLength(2);
    expect((sent[1]?.body.messages as Sent).at(-1)?.content).toMatch(
      /Last output from code snippet:\n7New task:\nTimes six\?/,
    );

    await page.getByRole('button', { name: 'New chat' }).click();
    expect(await page.getByTestId('turn').count()).toBe(0);
    await page.getByLabel('Question', { exact: true }).fill('Is k still there?');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await expect
      .poll(
        () =>
          page
            .getByTestId('final-answer')
            .innerText()
            .catch(() => ''),
        {
          timeout: 60_000,
        },
      )
      .toContain('1');
    const fresh = server.completionRequests().slice(before + 2);
    // A new chat: two messages, and Python forgot k (the first step failed on it).
    expect((fresh[0]?.body.messages as Sent).length).toBe(2);
    expect((fresh[1]?.body.messages as Sent).at(-1)?.content).toContain(
      'The variable `k` is not defined',
    );
    expect(errors).toEqual([]);
  }, 240_000);

  it('copies code, observations, the answer and the whole run; shows the exact requests', async () => {
    await session.chrome.context.grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: session.preview.url,
    });
    server.push(fence('Count.', 'n = 6 * 7\nprint(n)'), fence('Done.', 'final_answer(n)'));
    await session.open(chatLink(['Copy me?'], { run: '1' }));
    await page.getByTestId('final-answer').waitFor({ timeout: 120_000 });
    const clip = (): Promise<string> => page.evaluate(() => navigator.clipboard.readText());
    await page.getByRole('button', { name: 'Copy the answer' }).click();
    expect(await clip()).toBe('42');
    await page.getByRole('button', { name: 'Copy the code' }).first().click();
    expect(await clip()).toBe('n = 6 * 7\nprint(n)');
    await page.getByRole('button', { name: 'Copy the observation of step 1' }).click();
    expect(await clip()).toBe(
      'Call id: call_1\nObservation:\nExecution logs:\n42\nLast output from code snippet:\nNone',
    );
    await page.getByRole('button', { name: 'Copy as Markdown the steps and answer' }).click();
    const md = await clip();
    expect(md).toContain('## Copy me?');
    expect(md).toContain('### Step 1');
    expect(md).toContain('```python\nn = 6 * 7\nprint(n)\n```');
    expect(md).toContain('**Answer:** 42');
    // The exact requests: messages, sampling settings and raw outputs of every call.
    const exact = page.getByTestId('exact-requests');
    await exact.locator('summary').click();
    const text = await exact.innerText();
    expect(text).toContain('Call 2: step, step 2');
    expect(text).toContain('"temperature": 0.4');
    expect(text).toContain('"stop": [');
    expect(text).toContain('New task:\nCopy me?');
    expect(text).toContain('n = 6 * 7');
    expect(errors).toEqual([]);
  }, 120_000);

  it('lists the keys on ?, stops a run on Esc, and runs Compare on Ctrl+Enter', async () => {
    await session.open(chatLink(['Keys?']));
    await page.locator('body').press('?');
    const dialog = page.getByTestId('shortcuts');
    await dialog.waitFor();
    expect(await dialog.innerText()).toContain('Esc');
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.isVisible()).toBe(false);

    server.push({ choices: [fence('Slow.', 'final_answer(1)')], delayMs: 30_000 });
    const before = server.completionRequests().length;
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await expect
      .poll(() => server.completionRequests().length, { timeout: 60_000 })
      .toBe(before + 1);
    await page.keyboard.press('Escape');
    await page.locator('[data-status="aborted"]').waitFor({ timeout: 10_000 });

    server.push('It is 2.\n<answer>2</answer>', 'It is 2.\n<answer>2</answer>');
    await session.open(
      session.link('compare', { q: 'One plus one?', 'a.mode': 'cot', 'b.mode': 'cot' }),
    );
    await page.getByLabel('Question', { exact: true }).press('Control+Enter');
    await page.getByTestId('run-b').getByTestId('final-answer').waitFor({ timeout: 60_000 });
    expect(errors).toEqual([]);
  }, 180_000);

  it('ends an overflowing conversation with a plain message, never the raw server error', async () => {
    server.push({
      status: 400,
      rawBody: JSON.stringify({
        error: { message: "This model's maximum context length is 4096 tokens." },
      }),
    });
    await session.open(chatLink(['Too long?'], { run: '1' }));
    const alert = page.getByRole('alert').filter({ hasText: 'context window' });
    await alert.waitFor({ timeout: 60_000 });
    expect(await alert.innerText()).toContain('Start a new chat');
    expect(await alert.innerText()).not.toContain('HTTP 400');
    // The browser logs the 400 it was scripted to get; nothing else went wrong.
    expect(errors.filter((e) => !/\b400\b/.test(e))).toEqual([]);
    errors.length = 0;
  }, 120_000);

  it('keeps <style> and other page-changing tags in model output out of the page', async () => {
    const hostile =
      '<style>body{background:rgb(255,0,0) !important} header{display:none}</style>' +
      '<link rel="stylesheet" href="data:text/css,body{color:red}"><meta http-equiv="refresh" content="0;url=about:blank">' +
      '<div style="position:fixed;inset:0;background:rgb(0,255,0)">covered</div>';
    server.push(
      fence(`Restyle ${hostile}`, 'x = 1'),
      fence('Done.', `final_answer("""answer ${hostile} $x^2$""")`),
    );
    await session.open(chatLink(['Harmless?'], { run: '1' }));
    const bg = (): Promise<string> =>
      page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const before = await bg();
    await page.getByTestId('final-answer').waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('final-answer').locator('.katex').count()).toBe(1);
    const leaked = await page.evaluate(() => ({
      styles: [...document.querySelectorAll('.md style, .md link, .md meta')].length,
      styled: [...document.querySelectorAll('.md [style]')].filter((e) => !e.closest('.katex'))
        .length,
      url: location.href,
    }));
    expect(leaked.styles).toBe(0);
    expect(leaked.styled).toBe(0);
    expect(leaked.url).toContain('#/chat');
    expect(await bg()).toBe(before);
    expect(await page.locator('header').first().isVisible()).toBe(true);
    expect(errors).toEqual([]);
  }, 120_000);
});
