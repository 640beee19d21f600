import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunRecord, StepRecord } from '../../src/agent/run-record.ts';
import { PlaygroundError } from '../../src/errors.ts';
import {
  RUN_FILES,
  openRunDirectory,
  readRecords,
  readSummary,
} from '../../src/eval/node/run-directory.ts';
import { comparisonMarkdown, comparisonSvg, runReportMarkdown } from '../../src/eval/report.ts';
import {
  questionKey,
  runEvaluation,
  type EvalRecord,
  type SolveFn,
} from '../../src/eval/runner.ts';
import { summarize, type EvalRunConfig } from '../../src/eval/summary.ts';
import type { BenchQuestion } from '../../src/eval/types.ts';
import type { ExecutionResult, PythonSandbox } from '../../src/agent/ports.ts';

function q(
  benchmark: string,
  id: string,
  answer: string,
  kind: 'math' | 'factual' = 'math',
): BenchQuestion {
  return { id, benchmark, kind, question: `question ${id}`, answers: [answer] };
}

const QUESTIONS: BenchQuestion[] = [
  ...Array.from({ length: 6 }, (_, i) => q('math500', String(i), String(i * 2))),
  ...Array.from({ length: 4 }, (_, i) => q('hotpotqa', `h${i}`, `Paris ${i}`, 'factual')),
];

function execution(toolCalls: number, status: ExecutionResult['status'] = 'ok'): ExecutionResult {
  return {
    status,
    logs: '',
    output: '',
    stateLost: false,
    toolCalls: Array.from({ length: toolCalls }, () => ({
      name: 'web_search',
      args: {},
      text: '',
      durationMs: 1,
    })),
    durationMs: 1,
  };
}

function step(n: number, parseError: string | null, exec: ExecutionResult | null): StepRecord {
  return {
    step: n,
    modelOutput: '',
    code: exec ? 'x' : null,
    observation: '',
    execution: exec,
    parseError,
    candidates: [],
    groups: [],
    chosen: 0,
    startedAt: 0,
    durationMs: 1,
    generationMs: 1,
    executionMs: 0,
  };
}

function record(
  question: BenchQuestion,
  answer: string | null,
  extra: Partial<RunRecord> = {},
): RunRecord {
  return {
    version: 1,
    id: question.id,
    question: question.question,
    settings: {
      mode: 'agent',
      engine: 'fake',
      model: 'fake',
      promptProfile: 'distilled',
      maxSteps: 5,
      samples: 1,
      temperature: 0.4,
      topP: 0.8,
      maxTokens: 1024,
      pythonTimeoutMs: 1000,
    },
    status: 'answered',
    answer,
    steps: [step(1, 'no code', null), step(2, null, execution(2))],
    messages: [],
    modelCalls: [],
    startedAt: 0,
    finishedAt: 10,
    durationMs: 10,
    usage: { promptTokens: 100, completionTokens: 20 },
    ...extra,
  };
}

/** Right on even ids, wrong on odd ones. */
const solveHalf: SolveFn = async (question) => {
  const right = Number(question.id.replace(/\D/g, '')) % 2 === 0;
  return record(question, right ? (question.answers[0] ?? '') : 'wrong');
};

class FakeSandbox implements PythonSandbox {
  static created = 0;
  resets = 0;
  disposed = false;
  constructor() {
    FakeSandbox.created++;
  }
  start = async (): Promise<void> => undefined;
  reset = async (): Promise<void> => void this.resets++;
  checkSyntax = async (): Promise<boolean> => true;
  execute = async (): Promise<ExecutionResult> => execution(0, 'error');
  executeCandidates = async (): Promise<ExecutionResult[]> => [];
  adoptCandidate = async (): Promise<void> => undefined;
  dispose = async (): Promise<void> => void (this.disposed = true);
}

const CONFIG: EvalRunConfig = {
  version: 1,
  label: 'fake agent',
  mode: 'agent',
  engine: 'openai',
  model: 'fake-model',
  promptProfile: 'distilled',
  samples: 1,
  maxSteps: 5,
  benchmarks: ['math500', 'hotpotqa'],
  createdAt: '2026-01-01T00:00:00.000Z',
};

describe('runner', () => {
  it('grades every question with C sandboxes, each reset between its questions', async () => {
    FakeSandbox.created = 0;
    const sandboxes: FakeSandbox[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const seen = new Map<string, PythonSandbox | null>();
    const { records, aborted } = await runEvaluation({
      questions: QUESTIONS,
      mode: 'agent',
      concurrency: 3,
      createSandbox: async () => {
        const s = new FakeSandbox();
        sandboxes.push(s);
        return s;
      },
      solve: async (question, context) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        seen.set(question.id, context.sandbox);
        await new Promise((r) => setTimeout(r, 5));
        inFlight--;
        return solveHalf(question, context);
      },
    });
    expect(aborted).toBe(false);
    expect(records).toHaveLength(10);
    expect(maxInFlight).toBe(3);
    expect(sandboxes).toHaveLength(3);
    expect(sandboxes.every((s) => s.disposed)).toBe(true);
    // Each sandbox starts fresh, then is reset before every later question it takes.
    expect(sandboxes.reduce((n, s) => n + s.resets, 0)).toBe(10 - 3);
    expect([...seen.values()].every((s) => s instanceof FakeSandbox)).toBe(true);
    expect(
      records
        .filter((r) => r.correct)
        .map((r) => r.id)
        .sort(),
    ).toEqual(['0', '2', '4', 'h0', 'h2']);
  });

  it('records a failing question as an error and goes on', async () => {
    const { records } = await runEvaluation({
      questions: QUESTIONS,
      mode: 'agent',
      concurrency: 2,
      solve: async (question, context) => {
        if (question.id === '3') throw new PlaygroundError('engine_http', 'server said 500');
        return solveHalf(question, context);
      },
    });
    expect(records).toHaveLength(10);
    const failed = records.find((r) => r.id === '3');
    expect(failed).toMatchObject({
      status: 'error',
      correct: false,
      answer: null,
      error: { code: 'engine_http', message: 'server said 500' },
    });
    expect(records.filter((r) => r.status === 'error')).toHaveLength(1);
  });

  it('stops on abort without recording the questions in flight, and resumes from the directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eval-run-'));
    const controller = new AbortController();
    let finished = 0;
    const interrupted: SolveFn = async (question, { signal }) => {
      if (finished >= 3) {
        // Hangs like a slow server until Ctrl-C.
        await new Promise((_, reject) =>
          signal.addEventListener('abort', () => reject(new PlaygroundError('aborted', 'stopped'))),
        );
      }
      finished++;
      if (finished === 3) setTimeout(() => controller.abort(), 10);
      return solveHalf(question, { signal, sandbox: null });
    };
    const first = await openRunDirectory(dir, CONFIG);
    const r1 = await runEvaluation({
      questions: QUESTIONS,
      mode: 'agent',
      concurrency: 2,
      solve: interrupted,
      done: first.done,
      signal: controller.signal,
      onRecord: (r) => first.append(r),
    });
    expect(r1.aborted).toBe(true);
    await first.writeOutputs({ complete: false, wallTimeMs: 5 });
    const onDisk = await readRecords(dir);
    expect(onDisk).toHaveLength(3);
    expect(r1.records.map(questionKey).sort()).toEqual(onDisk.map(questionKey).sort());
    expect((await readSummary(dir)).complete).toBe(false);

    // A crash in the middle of a write leaves half a line behind.
    appendFileSync(
      join(dir, RUN_FILES.records),
      '{"version":1,"benchmark":"math500","id":"9","kind',
    );

    const second = await openRunDirectory(dir, CONFIG);
    expect(second.done.size).toBe(3);
    const asked: string[] = [];
    const r2 = await runEvaluation({
      questions: QUESTIONS,
      mode: 'agent',
      concurrency: 4,
      solve: async (question, context) => {
        asked.push(questionKey(question));
        return solveHalf(question, context);
      },
      done: second.done,
      onRecord: (r) => second.append(r),
    });
    expect(r2.records).toHaveLength(7);
    expect(asked.some((k) => second.done.has(k))).toBe(false);
    const summary = await second.writeOutputs({ complete: true, wallTimeMs: 7 });
    const all = await readRecords(dir);
    expect(all).toHaveLength(10);
    expect(new Set(all.map(questionKey)).size).toBe(10);
    expect(summary.overall).toMatchObject({ questions: 10, correct: 5, wallTimeMs: 12 });
    expect(summary.complete).toBe(true);
  });

  it('refuses to resume a directory made with other settings', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eval-run-'));
    await openRunDirectory(dir, CONFIG);
    await expect(openRunDirectory(dir, { ...CONFIG, samples: 8 })).rejects.toThrow(
      /samples: 1 there, 8 now/,
    );
  });

  it('retries errors on request', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eval-run-'));
    const run = await openRunDirectory(dir, CONFIG);
    await runEvaluation({
      questions: QUESTIONS.slice(0, 2),
      mode: 'agent',
      solve: async (question, context) => {
        if (question.id === '1') throw new Error('boom');
        return solveHalf(question, context);
      },
      onRecord: (r) => run.append(r),
    });
    expect((await openRunDirectory(dir, CONFIG)).done.size).toBe(2);
    expect((await openRunDirectory(dir, CONFIG, { retryErrors: true })).done).toEqual(
      new Set(['math500/0']),
    );
  });
});

describe('summary and reports', () => {
  async function records(): Promise<EvalRecord[]> {
    const { records: rs } = await runEvaluation({
      questions: QUESTIONS,
      mode: 'agent',
      solve: async (question, context) => {
        if (question.id === 'h3') throw new Error('boom');
        const r = await solveHalf(question, context);
        return question.id === '5' ? { ...r, status: 'fallback' } : r;
      },
    });
    return rs;
  }

  it('summarises accuracy, steps, tool calls, parse errors, fallbacks, tokens and time', async () => {
    const summary = summarize(CONFIG, await records(), { complete: true, wallTimeMs: 1000 });
    expect(summary.benchmarks.map((b) => b.benchmark)).toEqual(['hotpotqa', 'math500']);
    const math = summary.benchmarks[1];
    expect(math).toMatchObject({
      label: 'MATH500',
      questions: 6,
      correct: 3,
      accuracy: 50,
      meanSteps: 2,
      meanToolCalls: 2,
      parseErrors: 6,
      fallbacks: 1,
      errors: 0,
      promptTokens: 600,
      completionTokens: 120,
      meanTimeMs: 10,
    });
    const hotpot = summary.benchmarks[0];
    expect(hotpot).toMatchObject({
      questions: 4,
      correct: 2,
      accuracy: 50,
      errors: 1,
      parseErrors: 3,
    });
    expect(hotpot?.meanF1).toBeGreaterThan(50);
    expect(summary.overall).toMatchObject({
      questions: 10,
      correct: 5,
      accuracy: 50,
      averageAccuracy: 50,
      errors: 1,
      fallbacks: 1,
    });
  });

  it('writes a Markdown report and an SVG chart of accuracy per benchmark', async () => {
    const summary = summarize(CONFIG, await records(), { complete: true, wallTimeMs: 1000 });
    const md = runReportMarkdown(summary, { chartFile: 'accuracy.svg' });
    expect(md).toContain('# Evaluation: fake agent');
    expect(md).toMatch(
      /\| MATH500 \| 6 \| \*\*50\.0\*\* \| – \| 2\.00 \| 1\.00 \| 2\.00 \| 6 \| 1 \| 0 \| 600 \/ 120 \|/,
    );
    expect(md).toContain('![Accuracy per benchmark](accuracy.svg)');
    const svg = comparisonSvg([summary]);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/class="bar"/g)).toHaveLength(3);
    expect(svg).toContain('fake agent · MATH500: 50.0%');
    expect(svg).toContain('>Average<');
  });

  it('compares runs like Table 2: benchmarks as rows, runs as columns, best in bold', async () => {
    const a = summarize(CONFIG, await records());
    const better = (await records()).map((r) =>
      r.benchmark === 'math500' ? { ...r, correct: true } : r,
    );
    const b = summarize({ ...CONFIG, label: 'SAG' }, better);
    const md = comparisonMarkdown([a, b]);
    const lines = md.split('\n');
    expect(lines[2]).toBe('| Benchmark | fake agent | SAG |');
    const order = [
      '*Factual reasoning*',
      'HotpotQA (in-domain)',
      '*Math reasoning*',
      'MATH500 (in-domain)',
      '**Average** (paper sets)',
    ];
    expect(order.map((o) => lines.findIndex((l) => l.startsWith(`| ${o} |`)))).toEqual([
      4, 5, 6, 7, 8,
    ]);
    expect(lines[7]).toBe('| MATH500 (in-domain) | 50.0 | **100.0** |');
    // The default paper grader had no LLM judge: factual figures, and averages over them, say so.
    expect(lines[5]).toContain('(approximate: no LLM judge)');
    expect(lines[7]).not.toContain('approximate');
    expect(lines[8]).toBe(
      '| **Average** (paper sets) | 50.0 (approximate: no LLM judge) (2/8) | **75.0** (approximate: no LLM judge) (2/8) |',
    );
    expect(a.benchmarks.find((x) => x.benchmark === 'hotpotqa')?.approximate).toBe(true);
    expect(a.overall.approximate).toBe(true);
    const svg = comparisonSvg([a, b]);
    expect(svg).toContain('≈ approximate: no LLM judge');
    expect(svg).toContain('HotpotQA: 50.0% (approximate: no LLM judge)');
    const lenient = summarize(
      { ...CONFIG, grader: 'lenient' },
      (await records()).map((r) => ({ ...r, grade: { ...r.grade, approximate: undefined } })),
    );
    expect(comparisonMarkdown([lenient])).not.toContain('approximate');
    const report = runReportMarkdown({ ...a, config: { ...a.config, grader: 'paper' } });
    expect(report).toContain(
      '- grading: paper (math_equal; factual answers by the offline rules: approximate: no LLM judge)',
    );
    expect(report).toContain('**50.0** (approximate: no LLM judge)');
  });

  it('reads a summary back for report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eval-run-'));
    const run = await openRunDirectory(dir, CONFIG);
    for (const r of await records()) await run.append(r);
    await run.writeOutputs({ complete: true, wallTimeMs: 1 });
    expect(await readSummary(dir)).toMatchObject({ complete: true, overall: { questions: 10 } });
    // A record written after the summary (a run going on) shows up, and the run is not complete.
    const extra = (await records())[0];
    if (extra) await run.append({ ...extra, id: 'late' });
    expect(await readSummary(dir)).toMatchObject({ complete: false, overall: { questions: 11 } });
    expect(readFileSync(join(dir, RUN_FILES.report), 'utf8')).toContain('HotpotQA');
    expect(readFileSync(join(dir, RUN_FILES.chart), 'utf8')).toContain('</svg>');
  });
});

describe('browser reuse', () => {
  it('keeps the core of src/eval free of Node and CLI imports (files under node/ are the exception)', async () => {
    const { readdirSync } = await import('node:fs');
    const root = join(import.meta.dirname, '../../src/eval');
    const core = [
      ...readdirSync(root).filter((f) => f.endsWith('.ts')),
      ...readdirSync(join(root, 'math')).map((f) => `math/${f}`),
    ];
    expect(core).toContain('runner.ts');
    const offenders = core.filter((f) => {
      const text = readFileSync(join(root, f), 'utf8');
      return /from '(?:node:|fs'|path'|os'|url'|child_process'|worker_threads'|[^']*\/node\/|[^']*\/cli\/)/.test(
        text,
      );
    });
    expect(offenders).toEqual([]);
  });
});
