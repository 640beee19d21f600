/**
 * Saved runs in the built app, in real Chromium against the scripted OpenAI-compatible server:
 * runs land in History as they go and survive a reload (a run cut off by one is kept and marked
 * interrupted), search, delete, export and import of runs files (byte-identical round trip), and a
 * bad file refused without changing anything.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import {
  collectErrors,
  screenshot,
  type Chromium,
  type Preview,
  startAppSession,
  type AppSession,
} from './helpers/app-server.ts';
import { type FakeOpenAIServer } from '../helpers/fake-openai-server.ts';

const COT_QUESTION = 'What is half of one?';
const AGENT_QUESTION = 'What is 6 times 7?';
const SLOW_QUESTION = 'A question cut off by a reload';
const compute = ['Thought: compute.', '```py', 'x = 6 * 7', 'print(x)', '```'].join('\n');
const answer = ['Thought: done.', '```py', 'final_answer(x)', '```'].join('\n');

let session: AppSession;
let preview: Preview;
let chrome: Chromium;
let server: FakeOpenAIServer;
let page: Page;
let errors: string[];

const chatLink = (params: Record<string, string>): string => session.link('chat', params);

const open = (url: string): Promise<void> => session.open(url);

async function openHistory(): Promise<void> {
  await open(`${preview.url}#/history`);
  await page.getByRole('heading', { name: 'History' }).waitFor();
}

const rows = () => page.getByTestId('history-row');

async function questions(): Promise<string[]> {
  await page.getByTestId('history-list').or(page.getByTestId('history-empty')).waitFor();
  return page.getByTestId('history-row').locator('td.question a').allInnerTexts();
}

async function download(click: () => Promise<void>): Promise<{ name: string; text: string }> {
  const [file] = await Promise.all([page.waitForEvent('download'), click()]);
  const path = await file.path();
  return { name: file.suggestedFilename(), text: await readFile(path, 'utf8') };
}

beforeAll(async () => {
  session = await startAppSession();
  ({ preview, chrome, server, page, errors } = session);
}, 240_000);

afterAll(async () => {
  await session?.close();
});

describe('saved runs (History)', () => {
  it('saves a run as it goes; it is listed and survives a reload', async () => {
    await openHistory();
    expect(await questions()).toEqual([]);
    await screenshot(page, 'history-empty');

    server.push('Half of one is a half.\n<answer>1/2</answer>');
    await open(chatLink({ q: COT_QUESTION, mode: 'cot', run: '1' }));
    await page.getByTestId('final-answer').waitFor({ timeout: 30_000 });

    await page
      .getByRole('navigation', { name: 'Views' })
      .getByRole('link', { name: 'History' })
      .click();
    await expect.poll(questions).toEqual([COT_QUESTION]);
    const row = rows().first();
    const text = await row.innerText();
    expect(text).toContain('CoT');
    expect(text).toContain('fake-model');
    expect(await row.getByTestId('run-status').innerText()).toBe('answered');

    await page.reload();
    await expect.poll(questions).toEqual([COT_QUESTION]);

    // Opened read-only with the same run view as a live run.
    await rows().first().getByRole('link', { name: COT_QUESTION }).click();
    const run = page.getByTestId('history-run');
    await run.waitFor();
    expect(await run.getByTestId('final-answer').innerText()).toContain('1/2');
    expect(await run.getByLabel('Run statistics').innerText()).toContain('answered');
    expect(await page.getByRole('button', { name: 'Run', exact: true }).count()).toBe(0);
    expect(errors).toEqual([]);
  }, 90_000);

  it('keeps the finished steps of a run cut off by a reload, marked interrupted', async () => {
    server.push(compute, answer, compute, { choices: [answer], delayMs: 8_000 });
    await open(chatLink({ q: AGENT_QUESTION, mode: 'agent', run: '1' }));
    await page.getByTestId('final-answer').waitFor({ timeout: 120_000 });

    await open(chatLink({ q: SLOW_QUESTION, mode: 'agent', run: '1' }));
    // Step 1 done, step 2 waiting for the model: then the page goes away.
    await expect.poll(() => page.getByTestId('step').count(), { timeout: 60_000 }).toBe(2);
    // Another tab meanwhile sees it going (its page holds it), not interrupted.
    const other = await chrome.context.newPage();
    const otherErrors = collectErrors(other);
    await other.goto(`${preview.url}#/history`);
    const live = other.getByTestId('history-row').first();
    await expect.poll(() => live.innerText()).toContain(SLOW_QUESTION);
    expect(await live.getByTestId('run-status').innerText()).toBe('running');
    await live.getByRole('link', { name: SLOW_QUESTION }).click();
    expect(await other.getByTestId('history-run').getByRole('note').innerText()).toContain(
      'still going',
    );
    expect(await other.getByTestId('history-run').getByTestId('step').count()).toBe(1);
    await other.close();
    expect(otherErrors).toEqual([]);
    await page.reload();
    await page.getByLabel('Question', { exact: true }).waitFor();

    await openHistory();
    expect(await questions()).toEqual([SLOW_QUESTION, AGENT_QUESTION, COT_QUESTION]);
    expect(await rows().first().getByTestId('run-status').innerText()).toBe('interrupted');
    expect(await rows().nth(1).getByTestId('run-status').innerText()).toBe('answered');
    await screenshot(page, 'history-list');

    await rows().first().getByRole('link', { name: SLOW_QUESTION }).click();
    const run = page.getByTestId('history-run');
    await run.waitFor();
    expect(await run.getByRole('note').innerText()).toContain('Interrupted');
    expect(await run.getByTestId('step').count()).toBe(1);
    expect(await run.getByTestId('step').first().locator('pre.code').innerText()).toContain(
      'x = 6 * 7',
    );
    await screenshot(page, 'history-run-interrupted');

    await page.getByRole('link', { name: '← All saved runs' }).click();
    await rows().nth(1).getByRole('link', { name: AGENT_QUESTION }).click();
    await run.waitFor();
    expect(await run.getByTestId('step').count()).toBe(2);
    expect(await run.getByTestId('final-answer').innerText()).toContain('42');
    await screenshot(page, 'history-run');
    expect(errors).toEqual([]);
  }, 180_000);

  it('searches the question, answer and model', async () => {
    await openHistory();
    await page.getByLabel('Search runs').fill('half');
    await expect.poll(questions).toEqual([COT_QUESTION]);
    await page.getByLabel('Search runs').fill('42');
    await expect.poll(questions).toEqual([AGENT_QUESTION]);
    await page.getByLabel('Search runs').fill('nothing like this');
    await expect.poll(questions).toEqual([]);
    expect(await page.getByTestId('history-empty').innerText()).toContain('nothing like this');
    await page.getByLabel('Search runs').fill('fake-model');
    await expect.poll(() => rows().count()).toBe(3);
    expect(errors).toEqual([]);
  }, 60_000);

  it('refuses a malformed or foreign file and changes nothing', async () => {
    await openHistory();
    await expect.poll(() => rows().count()).toBe(3);
    const before = await questions();
    const input = page.getByLabel('Import runs file');
    const alert = page.getByRole('alert');

    await input.setInputFiles({
      name: 'broken.json',
      mimeType: 'application/json',
      buffer: Buffer.from('{"format": "small-agent-playground/runs", "runs": ['),
    });
    await expect.poll(() => alert.innerText()).toContain('it is not JSON');
    expect(await questions()).toEqual(before);

    await input.setInputFiles({
      name: 'other.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify({ format: 'someone-else/chats', version: 1, runs: [] })),
    });
    await expect.poll(() => alert.innerText()).toContain('"someone-else/chats"');
    expect(await questions()).toEqual(before);

    // A good file with one damaged run: refused whole, naming the place.
    const good = await download(() => page.getByRole('button', { name: 'Export all' }).click());
    const damaged = JSON.parse(good.text) as { runs: Record<string, unknown>[] };
    damaged.runs.push({ ...damaged.runs[0], id: 'new-run', question: 42 });
    await input.setInputFiles({
      name: 'damaged.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(damaged)),
    });
    await expect.poll(() => alert.innerText()).toContain('file.runs[3].question must be a string');
    expect(await questions()).toEqual(before);
    await screenshot(page, 'history-import-refused');
    expect(errors).toEqual([]);
  }, 60_000);

  it('deletes one run; works by keyboard; dark theme', async () => {
    await openHistory();
    await expect.poll(() => rows().count()).toBe(3);
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: `Delete “${COT_QUESTION}”` }).click();
    await expect.poll(questions).toEqual([SLOW_QUESTION, AGENT_QUESTION]);

    // Keyboard: from the search box, Tab reaches the list and Enter opens a run.
    await page.getByLabel('Search runs').focus();
    let reached = false;
    for (let i = 0; i < 12 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached =
        (await page.evaluate(() => document.activeElement?.textContent?.trim())) === AGENT_QUESTION;
    }
    expect(reached).toBe(true);
    await page.keyboard.press('Enter');
    await page.getByTestId('history-run').waitFor();
    // Focus moves to the opened run's title, so the keyboard goes on from there.
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.textContent?.trim()))
      .toBe(AGENT_QUESTION);
    await page.keyboard.press('Shift+Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe(
      '← All saved runs',
    );
    await page.keyboard.press('Enter');
    await page.getByTestId('history-list').waitFor();

    await page.getByRole('button', { name: /Switch theme/ }).click();
    await page.getByRole('button', { name: /Switch theme/ }).click();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await page.getByLabel(`Select “${SLOW_QUESTION}”`).check();
    await screenshot(page, 'history-dark');
    await page.getByRole('link', { name: AGENT_QUESTION }).click();
    await page.getByTestId('history-run').waitFor();
    await screenshot(page, 'history-run-dark');
    expect(errors).toEqual([]);
  }, 60_000);

  it('a full disk is reported without breaking the run; the run can be saved again', async () => {
    const question = 'A question while the disk is full';
    server.push('Easy.\n<answer>yes</answer>');
    await open(`${preview.url}#/chat`);
    await page.getByLabel('Question', { exact: true }).waitFor();
    // As in run-store.test.ts: Chromium's quota override does not reach IndexedDB writes, so
    // put fails the way a full disk makes it fail.
    await page.evaluate(() => {
      const w = window as unknown as { realPut?: typeof IDBObjectStore.prototype.put };
      w.realPut = IDBObjectStore.prototype.put;
      IDBObjectStore.prototype.put = function () {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      };
    });
    const link = new URL(chatLink({ q: question, mode: 'cot', run: '1' }));
    await page.evaluate((hash) => (location.hash = hash), link.hash);
    await page.getByTestId('final-answer').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('final-answer').innerText()).toContain('yes');
    const notice = page.getByTestId('save-problem');
    await notice.waitFor();
    expect(await notice.innerText()).toContain('no room left');
    expect(await notice.innerText()).toContain('Delete old runs in History');
    await screenshot(page, 'history-quota-notice');

    // The unsaved run can be downloaded without storage, and saved once there is room again.
    const file = await download(() =>
      notice.getByRole('button', { name: 'Download the unsaved run' }).click(),
    );
    expect((JSON.parse(file.text) as { runs: { question: string }[] }).runs[0]?.question).toBe(
      question,
    );
    await page.evaluate(() => {
      const w = window as unknown as { realPut?: typeof IDBObjectStore.prototype.put };
      if (w.realPut) IDBObjectStore.prototype.put = w.realPut;
    });
    await notice.getByRole('button', { name: 'Save again' }).click();
    await notice.waitFor({ state: 'detached' });
    await page
      .getByRole('navigation', { name: 'Views' })
      .getByRole('link', { name: 'History' })
      .click();
    await expect.poll(questions).toEqual([question, SLOW_QUESTION, AGENT_QUESTION]);
    expect(errors).toEqual([]);
  }, 60_000);

  it('saves both panes of a comparison', async () => {
    const question = 'Compared: what is 6 times 7?';
    server.push('Six sevens.\n<answer>42</answer>', compute, answer);
    const q = new URLSearchParams({
      q: question,
      gold: '42',
      engine: 'openai',
      baseUrl: server.baseUrl,
      modelName: 'fake-model',
      'a.mode': 'cot',
      'b.mode': 'agent',
      run: '1',
    });
    await open(`${preview.url}#/compare?${q.toString()}`);
    await page.getByTestId('run-b').getByTestId('final-answer').waitFor({ timeout: 120_000 });
    await openHistory();
    await page.getByLabel('Search runs').fill('compared');
    await expect.poll(() => rows().count()).toBe(2);
    expect(await rows().locator('td:nth-child(3)').allInnerTexts()).toEqual(['agent', 'CoT']);
    expect(await rows().getByTestId('run-status').allInnerTexts()).toEqual([
      'answered',
      'answered',
    ]);
    expect(errors).toEqual([]);
  }, 180_000);

  it('exports all, deletes, imports, and exports byte-identical JSON', async () => {
    await openHistory();
    await expect.poll(() => rows().count()).toBe(5);
    const before = await questions();
    const statuses = await rows().getByTestId('run-status').allInnerTexts();
    expect(statuses).toContain('interrupted');
    // The same export time both ways: the format promises identical bytes for the same runs
    // then. Last test, as the fixed clock stays with the page.
    await page.clock.setFixedTime(new Date('2026-11-24T21:00:00.000Z'));
    const first = await download(() => page.getByRole('button', { name: 'Export all' }).click());
    expect(first.name).toBe('runs-2026-11-24T21-00-00Z.json');
    const file = JSON.parse(first.text) as { format: string; runs: { question: string }[] };
    expect(file.format).toBe('small-agent-playground/runs');
    // Oldest first in the file.
    expect(file.runs.map((r) => r.question)).toEqual([...before].reverse());

    // One run alone.
    const one = await download(() =>
      page.getByRole('button', { name: `Export “${SLOW_QUESTION}”` }).click(),
    );
    expect(one.name).toMatch(/^run-[\w-]+\.json$/);
    expect((JSON.parse(one.text) as { runs: unknown[] }).runs).toHaveLength(1);

    // Select all, delete all (after the confirmation).
    await page.getByLabel('Select all runs shown').check();
    expect(await page.getByRole('group', { name: 'Selected runs' }).innerText()).toContain(
      '5 runs selected',
    );
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Delete selected' }).click();
    await expect.poll(questions).toEqual([]);

    await page.getByLabel('Import runs file').setInputFiles({
      name: first.name,
      mimeType: 'application/json',
      buffer: Buffer.from(first.text),
    });
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'Imported' }).innerText())
      .toContain('Imported 5 runs');
    await expect.poll(questions).toEqual(before);
    // An interrupted run stays marked through export and import.
    expect(await rows().getByTestId('run-status').allInnerTexts()).toEqual(statuses);

    const second = await download(() => page.getByRole('button', { name: 'Export all' }).click());
    expect(second.text).toBe(first.text);
    expect(Buffer.from(second.text).equals(Buffer.from(first.text))).toBe(true);
    await screenshot(page, 'history-imported');
    expect(errors).toEqual([]);
  }, 60_000);
});
