import { existsSync, readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.ts';
import { readRecords } from '../../src/eval/node/run-directory.ts';
import { createSympyEqual } from '../../src/eval/sympy-equal.ts';
import type { RunSummary } from '../../src/eval/summary.ts';
import { createNodeSandbox } from '../../src/python/node-sandbox.ts';
import {
  startFakeOpenAIServer,
  type FakeOpenAIServer,
  type RecordedRequest,
  type ScriptEntry,
} from '../helpers/fake-openai-server.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/eval');
const PACKAGES = process.env.PLAYGROUND_PYTHON_PACKAGES ?? '/usr/lib/python3/dist-packages';
const hasSympy = existsSync(join(PACKAGES, 'sympy/__init__.py'));

const code = (body: string): string => `Thought: compute it.\n\`\`\`py\n${body}\n\`\`\`<end_code>`;

/** Replies by question: right answers, a wrong one, a computed one, and an HTTP 400. */
function reply(req: RecordedRequest): ScriptEntry {
  const messages = (req.body.messages ?? []) as { role: string; content: string }[];
  const task = messages.find((m) => m.role === 'user')?.content ?? '';
  if (task.includes('6 times 7')) return code('final_answer(6 * 7)');
  if (task.includes('one half')) return code('final_answer(0.5)');
  if (task.includes('2 to the 10th')) return code('x = 2 ** 10\nfinal_answer(x)');
  if (task.includes('10 minus 3')) return code('final_answer(8)');
  if (task.includes('capital of France')) return code('final_answer("The City of Light")');
  if (task.includes('Hamlet'))
    return code('final_answer("Shakespeare wrote it: William Shakespeare")');
  return { status: 400, rawBody: '{"error":{"message":"bad request"}}' };
}

let server: FakeOpenAIServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('playground eval end to end (fake server, real agent loop and sandboxes)', () => {
  it(
    'runs, records, summarises, resumes without asking again, and reports',
    { timeout: 240_000 },
    async () => {
      server = await startFakeOpenAIServer({ fallback: reply });
      const out = mkdtempSync(join(tmpdir(), 'eval-e2e-'));
      const args = [
        'eval',
        '--bench',
        `${join(FIXTURES, 'mini_math.jsonl')},${join(FIXTURES, 'mini_factual.jsonl')}`,
        '--mode',
        'agent',
        '--concurrency',
        '3',
        '--out',
        out,
        '--base-url',
        server.baseUrl,
        '--model',
        'fake-model',
        '--no-sympy',
        '--no-progress',
        '--grader',
        'lenient',
      ];
      const first = await runCli(args);
      expect(first.stderr).not.toContain('playground:');
      expect(first.code).toBe(0);
      const records = await readRecords(out);
      expect(records).toHaveLength(7);
      const byId = new Map(records.map((r) => [r.id, r]));
      expect(byId.get('m1')).toMatchObject({
        answer: '42',
        correct: true,
        status: 'answered',
        steps: 1,
        codeExecutions: 1,
      });
      expect(byId.get('m2')).toMatchObject({ answer: '0.5', correct: true });
      expect(byId.get('m3')).toMatchObject({ answer: '1024', correct: true });
      expect(byId.get('m4')).toMatchObject({ answer: '8', correct: false });
      expect(byId.get('f1')).toMatchObject({ correct: true, grade: { matched: 'City of Light' } });
      expect(byId.get('f2')).toMatchObject({ correct: true, grade: { method: 'contains' } });
      expect(byId.get('f3')).toMatchObject({
        correct: false,
        status: 'error',
        error: { code: 'engine_http' },
      });
      expect(byId.get('m1')?.run?.messages[0]?.role).toBe('system');

      const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as RunSummary;
      expect(summary.complete).toBe(true);
      expect(
        summary.benchmarks.map((b) => [b.benchmark, b.correct, b.questions, b.errors]),
      ).toEqual([
        ['mini_factual', 2, 3, 1],
        ['mini_math', 3, 4, 0],
      ]);
      expect(first.stdout).toContain('mini_math: 75.0% (3/4)');
      expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain(
        '| mini_math | 4 | **75.0** |',
      );
      expect(readFileSync(join(out, 'accuracy.svg'), 'utf8')).toContain('<svg');

      const requests = server.completionRequests().length;
      const again = await runCli(args);
      expect(again.code).toBe(0);
      expect(again.stderr).toContain('resuming: 7 question(s) already done');
      expect(server.completionRequests().length).toBe(requests);
      expect(await readRecords(out)).toHaveLength(7);

      const report = await runCli(['report', out, out, '--labels', 'first,second']);
      expect(report.code).toBe(0);
      expect(report.stdout).toContain('| Benchmark | first | second |');
      expect(report.stdout).toContain('| mini_math | **75.0** | **75.0** |');
      expect(report.stdout).toContain('| **Average** | **70.8** | **70.8** |');

      // Graded again the paper's way (no sympy, no judge): 0.5 is not \frac{1}{2} without sympy,
      // and the factual figures stand in for the LLM judge.
      const paper = await runCli(['report', out, '--grader', 'paper', '--no-sympy']);
      expect(paper.code).toBe(0);
      expect(paper.stdout).toContain('| mini_math | 50.0 |');
      expect(paper.stdout).toContain('| mini_factual | 66.7 (approximate: no LLM judge) |');
      expect(paper.stdout).toContain(
        'grading: paper (math_equal; factual answers by the offline rules: approximate: no LLM judge)',
      );
    },
  );

  it('runs CoT mode: answer tag and last boxed value, no sandbox needed', async () => {
    server = await startFakeOpenAIServer({
      fallback: 'Six sevens are \\boxed{41}... no: <answer>so \\boxed{42}</answer>',
    });
    const out = mkdtempSync(join(tmpdir(), 'eval-cot-'));
    const r = await runCli([
      'eval',
      '--bench',
      join(FIXTURES, 'mini_math.jsonl'),
      '--mode',
      'cot',
      '--out',
      out,
      '--base-url',
      server.baseUrl,
      '--model',
      'fake-model',
      '--no-sympy',
      '--concurrency',
      '2',
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('sandbox');
    const records = await readRecords(out);
    expect(records.map((x) => [x.id, x.answer, x.correct, x.mode]).sort()).toEqual([
      ['m1', '42', true, 'cot'],
      ['m2', '42', false, 'cot'],
      ['m3', '42', false, 'cot'],
      ['m4', '42', false, 'cot'],
    ]);
    const request = server.completionRequests()[0]?.body as {
      messages: { role: string; content: string }[];
    };
    expect(request.messages[1]).toEqual({
      role: 'user',
      content: expect.stringContaining('What is') as unknown,
    });
  });

  it('says which benchmark data is missing before any model call', async () => {
    server = await startFakeOpenAIServer({ fallback: reply });
    const empty = mkdtempSync(join(tmpdir(), 'eval-nodata-'));
    const r = await runCli([
      'eval',
      '--bench',
      'paper',
      '--data-dir',
      empty,
      '--out',
      join(empty, 'out'),
      '--base-url',
      server.baseUrl,
      '--model',
      'm',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(join(empty, 'math500/paper_test_math_500.json'));
    expect(r.stderr).toContain('playground setup --data');
    expect(server.completionRequests()).toHaveLength(0);
  });
});

describe.skipIf(!hasSympy)('sympy hook in the real sandbox', () => {
  it('decides equality through sympy inside Pyodide', async () => {
    const sandbox = createNodeSandbox({ pythonPackagesDir: PACKAGES });
    await sandbox.start();
    try {
      const symbolicEqual = createSympyEqual(sandbox);
      expect(await symbolicEqual('\\binom{5}{2}', '10')).toBe(true);
      expect(await symbolicEqual('\\binom{5}{2}', '11')).toBe(false);
    } finally {
      await sandbox.dispose();
    }
  });
});
