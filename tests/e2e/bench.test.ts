/**
 * The benchmark view in real Chromium: a question file uploaded through the file input, asked
 * against a scripted OpenAI-compatible server on 127.0.0.1 with real Pyodide sandboxes, graded by
 * src/eval, then the table, the accuracy, the chart and the exports.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshot, startAppSession, type AppSession } from './helpers/app-server.ts';
import {
  type FakeOpenAIServer,
  type RecordedRequest,
  type ScriptEntry,
} from '../helpers/fake-openai-server.ts';

/** Question text, gold, and the code the scripted model answers with (one step each). */
const QUESTIONS = [
  { q: 'Bench probe one: what is 17 + 25?', gold: '42', code: 'final_answer(42)' },
  { q: 'Bench probe two: what is 6 * 7 + 1?', gold: '43', code: 'final_answer(41)' },
  { q: 'Bench probe three: what is 2 ** 10?', gold: '1024', code: 'x = 2 ** 10\nfinal_answer(x)' },
  { q: 'Bench probe four: what is one quarter?', gold: '\\frac{1}{4}', code: 'final_answer(0.25)' },
  { q: 'Bench probe five: never asked?', gold: '5', code: 'final_answer(5)' },
];

const FILE = JSON.stringify({
  metadata: { name: 'tiny arithmetic', note: 'written by tests/e2e/bench.test.ts' },
  examples: QUESTIONS.map((x, i) => ({ id: `t${i + 1}`, question: x.q, answer: x.gold })),
});

let session: AppSession;
let server: FakeOpenAIServer;
let page: Page;
let errors: string[];
/** Replies held this long, so progress can be seen between questions. */
let delayMs = 1500;
/** How many replies go out at once before the rest are held (Infinity: none held). */
let fastLeft = Infinity;

/** The user turn asking one of our questions: "New task:\n..." in agent runs, bare in CoT. */
function taskOf(req: RecordedRequest): string {
  const messages = (req.body.messages ?? []) as { role: string; content: string }[];
  return (
    messages.find((m) => m.role === 'user' && m.content.includes('Bench probe'))?.content ?? ''
  );
}

/** The model: answers each question by its text, so the order of parallel requests is free. */
const reply = (req: RecordedRequest): ScriptEntry => {
  const task = taskOf(req);
  const x = QUESTIONS.find((y) => task.includes(y.q));
  if (!x) return { status: 500, rawBody: '{"error":{"message":"unknown question"}}' };
  const agent = task.startsWith('New task:');
  const text = agent
    ? ['Thought: compute it.', '```py', x.code, '```'].join('\n')
    : `It is ${x.gold}.\n<answer>\\boxed{${x.gold}}</answer>`;
  const held = fastLeft <= 0;
  fastLeft -= 1;
  return { choices: [text], delayMs: held ? 60_000 : delayMs };
};

const benchLink = (params: Record<string, string>): string => session.link('bench', params);

async function open(url: string): Promise<void> {
  await session.open(url);
  await page.getByLabel('Benchmark file').waitFor();
}

async function upload(name: string, text: string): Promise<void> {
  await page.setInputFiles('#bench-file', {
    name,
    mimeType: 'application/json',
    buffer: Buffer.from(text),
  });
}

beforeAll(async () => {
  session = await startAppSession({ fallback: reply });
  ({ server, page, errors } = session);
}, 240_000);

afterAll(async () => {
  await session?.close();
});

describe('the benchmark view', () => {
  it('runs a sample in the browser, grades it, charts it and exports it', async () => {
    delayMs = 1500;
    // The lenient rules: 0.25 equals \frac{1}{4} without sympy (the paper grader needs sympy).
    await open(
      benchLink({
        mode: 'agent',
        n: '4',
        sample: 'first',
        concurrency: '2',
        seed: '11',
        grader: 'lenient',
      }),
    );
    expect(await page.getByLabel('Grader').inputValue()).toBe('lenient');
    expect(
      await page.getByRole('navigation').getByRole('link', { name: 'Benchmark' }).count(),
    ).toBe(1);
    await upload('tiny_arithmetic.json', FILE);
    const info = page.getByTestId('bench-file-info');
    await info.waitFor();
    expect(await info.innerText()).toContain('5 questions, graded as math');
    const runButton = page.getByRole('button', { name: 'Run 4 questions' });
    expect(await runButton.isEnabled()).toBe(true);
    await screenshot(page, 'bench-setup');

    await runButton.click();
    const progress = page.getByTestId('bench-progress');
    await progress.waitFor();
    // Real progress: questions in flight by text, then a count that moves before the end.
    await page.getByTestId('bench-current').first().waitFor({ timeout: 90_000 });
    expect(await page.getByRole('button', { name: 'Stop' }).isVisible()).toBe(true);
    await expect
      .poll(async () => page.getByTestId('bench-done').innerText(), { timeout: 90_000 })
      .toMatch(/^[123] \/ 4 done$/);
    expect(await page.getByTestId('bench-eta').innerText()).toMatch(/^ETA \d/);
    await screenshot(page, 'bench-running');

    await expect
      .poll(() => page.getByTestId('bench-status').innerText(), { timeout: 120_000 })
      .toBe('Finished');
    expect(await page.getByTestId('bench-done').innerText()).toBe('4 / 4 done');
    const rows = page.getByTestId('bench-row');
    expect(await rows.count()).toBe(4);
    expect(await page.locator('[data-testid="bench-row"][data-correct="yes"]').count()).toBe(3);
    expect(await page.locator('[data-testid="bench-row"][data-correct="no"]').count()).toBe(1);
    const wrong = page.locator('[data-testid="bench-row"][data-correct="no"]');
    expect(await wrong.innerText()).toContain('Bench probe two');
    expect(await wrong.innerText()).toContain('41');
    // File order, whatever order the parallel questions finished in.
    expect(await rows.nth(0).innerText()).toContain('Bench probe one');
    expect(await rows.nth(3).innerText()).toContain('Bench probe four');
    const accuracy = await page.getByTestId('bench-accuracy').innerText();
    expect(accuracy).toContain('75.0%');
    expect(accuracy).toContain('3 of 4 correct');
    const chart = page.getByTestId('bench-chart');
    expect(await chart.getAttribute('alt')).toContain('75.0% of 4');
    expect(await chart.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(100);
    // The first four only: the fifth question never reached the model.
    const asked = new Set(server.completionRequests().map(taskOf));
    expect([...asked].some((t) => t.includes('probe five'))).toBe(false);
    expect([...asked].filter((t) => t.includes('Bench probe'))).toHaveLength(4);
    // The settings' sampling seed goes out with every request.
    const seeds = server
      .completionRequests()
      .filter((r) => taskOf(r).includes('Bench probe'))
      .map((r) => r.body.seed);
    expect(new Set(seeds)).toEqual(new Set([11]));
    await screenshot(page, 'bench-results');

    const [json] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export JSON' }).click(),
    ]);
    expect(json.suggestedFilename()).toMatch(/^bench-tiny_arithmetic-agent-.*\.json$/);
    const exported = JSON.parse(await readFile(await json.path(), 'utf8')) as {
      kind: string;
      source: { file: string; sample: string };
      summary: { overall: { questions: number; correct: number; accuracy: number } };
      records: { id: string; correct: boolean; answer: string | null; steps: number }[];
    };
    expect(exported.kind).toBe('playground-benchmark-run');
    expect(exported.source.file).toBe('tiny_arithmetic.json');
    expect(exported.source.sample).toBe('the first 4 of 5 questions');
    expect(exported.summary.overall).toMatchObject({ questions: 4, correct: 3, accuracy: 75 });
    expect(exported.records.map((r) => r.id).sort()).toEqual(['t1', 't2', 't3', 't4']);
    expect(exported.records.find((r) => r.id === 't2')).toMatchObject({
      correct: false,
      answer: '41',
      steps: 1,
    });

    const [md] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export Markdown' }).click(),
    ]);
    const report = await readFile(await md.path(), 'utf8');
    expect(report).toContain('# Evaluation: fake-model');
    expect(report).toContain('| # | Question | Gold | Answer | Correct | Steps | Time |');
    expect(report).toMatch(/Bench probe two.*\| 43 \| 41 \| ✗ \|/);

    // Every question was saved to History as it ran; a row opens its whole trajectory there.
    await page
      .getByTestId('bench-row')
      .nth(1)
      .getByRole('link', { name: /Bench probe two/ })
      .click();
    const saved = page.getByTestId('history-run');
    await saved.waitFor();
    expect(page.url()).toMatch(/#\/history\?id=/);
    expect(await saved.innerText()).toContain('Bench probe two');
    expect(await saved.getByTestId('final-answer').innerText()).toContain('41');
    expect(await saved.getByTestId('step').locator('pre.code').innerText()).toContain(
      'final_answer(41)',
    );
    expect(errors).toEqual([]);
  }, 240_000);

  it('stops a seeded random sample and keeps what finished', async () => {
    delayMs = 100;
    // A new deep link on the same page (no reload): the first run stays in memory for the chart.
    await page.goto(
      benchLink({ mode: 'cot', n: '3', sample: 'random', sampleSeed: '7', concurrency: '1' }),
    );
    await page.getByRole('button', { name: 'Run 3 questions' }).waitFor();
    await upload('tiny_arithmetic.json', FILE);
    await page.getByTestId('bench-file-info').waitFor();
    // The first question is answered, the second is held until the test stops the run.
    fastLeft = 1;
    await page.getByRole('button', { name: 'Run 3 questions' }).click();
    await expect
      .poll(() => page.getByTestId('bench-done').innerText(), { timeout: 30_000 })
      .toBe('1 / 3 done');
    await page.getByTestId('bench-current').first().waitFor();
    const t0 = Date.now();
    await page.getByRole('button', { name: 'Stop' }).click();
    await expect
      .poll(() => page.getByTestId('bench-status').innerText(), { timeout: 10_000 })
      .toBe('Stopped');
    expect(Date.now() - t0).toBeLessThan(5_000);
    fastLeft = Infinity;
    // What finished stays: one graded row (CoT, correct), and the export still works.
    expect(await page.getByTestId('bench-row').count()).toBe(1);
    expect(await page.getByTestId('bench-accuracy').innerText()).toContain('1 of 1 correct');
    expect(await page.getByTestId('bench-accuracy').innerText()).toContain('stopped early');
    // The earlier run is charted next to this one.
    expect(await page.getByTestId('bench-chart').getAttribute('alt')).toMatch(
      /Run 1 .*75\.0% of 4; Run 2 .*100\.0% of 1/,
    );
    const legend = await page.locator('figure.chart figcaption').innerText();
    expect(legend).toContain('#1 fake-model');
    expect(legend).toContain('75.0% of 4');
    expect(legend).toContain('100.0% of 1 (stopped early)');
    expect(await page.getByRole('button', { name: 'Run 3 questions' }).isEnabled()).toBe(true);
    const [json] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export JSON' }).click(),
    ]);
    const exported = JSON.parse(await readFile(await json.path(), 'utf8')) as {
      source: { sample: string };
      summary: { complete: boolean; overall: { questions: number } };
    };
    expect(exported.source.sample).toBe('3 of 5 questions drawn at random (seed 7)');
    expect(exported.summary).toMatchObject({ complete: false, overall: { questions: 1 } });
    await screenshot(page, 'bench-stopped');
    expect(errors).toEqual([]);
  }, 90_000);

  it('reads JSONL, names the set from the file name, and refuses a broken file', async () => {
    await page.goto(benchLink({ mode: 'agent', n: '2', sample: 'first' }));
    const rows = [
      {
        id: 'g1',
        question: 'Janet has 3 apples and buys 4 more. How many?',
        answer: 'She has 3 + 4 = 7.\n#### 7',
      },
      {
        id: 'g2',
        question: 'Tom reads 1,000 pages twice. How many pages?',
        answer: '2 * 1000 = 2000\n#### 2,000',
      },
      { id: 'g3', question: 'A third question?', answer: '#### 3' },
    ];
    await upload('gsm8k_sample.jsonl', rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const info = page.getByTestId('bench-file-info');
    await expect
      .poll(() => info.innerText())
      .toContain('gsm8k_sample.jsonl: 3 questions, graded as math');
    expect(await page.getByLabel('Named set').inputValue()).toBe('gsm8k');
    expect(await page.getByRole('button', { name: 'Run 2 questions' }).isEnabled()).toBe(true);
    // The other way to grade is the user's choice.
    await page.getByLabel('Grade as').selectOption('factual');
    await expect.poll(() => info.innerText()).toContain('graded as factual');
    await page.getByLabel('Grade as').selectOption('auto');
    // The grader is the user's choice too; the paper's says what it leaves out in the browser.
    await page.getByLabel('Grader').selectOption('paper');
    await expect.poll(() => info.innerText()).toContain("the paper's math_equal");
    await page.getByLabel('Grade as').selectOption('factual');
    await expect.poll(() => info.innerText()).toContain('approximate: no LLM judge');
    await page.getByLabel('Grade as').selectOption('auto');

    await upload('broken.jsonl', '{"question": "fine", "answer": "1"}\n{not json\n');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toContain('broken.jsonl: line 2 is not valid JSON.');
    expect(await page.getByRole('button', { name: 'Run', exact: true }).isDisabled()).toBe(true);
    await screenshot(page, 'bench-bad-file');
    expect(errors).toEqual([]);
  }, 60_000);
});
