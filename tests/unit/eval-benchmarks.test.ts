import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BENCHMARKS } from '../../src/eval/benchmarks.ts';
import { gradeAnswer } from '../../src/eval/grade.ts';
import {
  availableBenchmarks,
  loadBenchmark,
  resolveDataDir,
} from '../../src/eval/node/load-benchmark.ts';
import { parseBenchmark } from '../../src/eval/parse-benchmark.ts';
import { haveSharedInputs } from '../helpers/shared-inputs.ts';
import { PlaygroundError } from '../../src/errors.ts';

const haveAll = haveSharedInputs(
  'Grading the gold of every benchmark against itself',
  BENCHMARKS.map((b) => join(resolveDataDir(), b.file)),
);
const present = availableBenchmarks();

describe('gold against itself', () => {
  it('finds the data directory sets (in CI they must all be there)', () => {
    if (haveAll) expect(present.map((b) => b.name)).toEqual(BENCHMARKS.map((b) => b.name));
    expect(resolveDataDir('/x/y')).toBe('/x/y');
  });
  it.each(present.map((b) => [b.name, b.kind] as const))(
    '%s (%s) grades 100%%',
    async (name, kind) => {
      const questions = await loadBenchmark(name);
      expect(questions.length).toBeGreaterThan(50);
      expect(new Set(questions.map((q) => q.id)).size).toBe(questions.length);
      let correct = 0;
      let boxed = 0;
      for (const q of questions) {
        expect(q.kind).toBe(kind);
        const gold = q.answers[0] ?? '';
        if ((await gradeAnswer(q.kind, gold, q.answers, { grader: 'lenient' })).correct) correct++;
        // The paper grader too: a gold equals itself before any other rule.
        expect((await gradeAnswer(q.kind, gold, q.answers, { grader: 'paper' })).correct).toBe(
          true,
        );
        // The same gold as a model would write it.
        const written =
          kind === 'math' ? `The final answer is $\\boxed{${gold}}$.` : `The answer is ${gold}.`;
        if ((await gradeAnswer(q.kind, written, q.answers, { grader: 'lenient' })).correct) boxed++;
      }
      expect(correct).toBe(questions.length);
      expect(boxed).toBe(questions.length);
    },
  );
});

describe('benchmark files', () => {
  it('reads the paper format and keeps metadata', () => {
    const text = JSON.stringify({
      metadata: { dataset_info: { name: 'x' } },
      examples: [
        { id: 7, question: ' Q1? ', answer: 13138980.0, level: 'hard' },
        { id: 7, question: 'Q2?', answer: 'A', solution: 'long' },
      ],
    });
    const qs = parseBenchmark(text, { benchmark: 'gsm_hard' });
    expect(qs.map((q) => [q.id, q.question, q.answers, q.kind])).toEqual([
      ['7', 'Q1?', ['13138980'], 'math'],
      ['7#1', 'Q2?', ['A'], 'math'],
    ]);
    expect(qs[0]?.metadata).toEqual({ id: 7, level: 'hard' });
  });
  it('reads JSONL with GSM8K answers, targets and Python-printed aliases', () => {
    const lines = [
      { question: 'q1', answer: 'work\n#### 1,234' },
      { input: 'q2', target: -9867630.0 },
      {
        id: 'm',
        question: 'q3',
        answer: 'Detroit',
        answer_aliases: "['Motor City', \"Detroit's\"]",
      },
      { id: 'i', question: 'q4', answer: '[7, 47]' },
    ].map((l) => JSON.stringify(l));
    const qs = parseBenchmark(lines.join('\n'), { benchmark: 'mine', kind: 'math' });
    expect(qs.map((q) => q.answers)).toEqual([
      ['1234'],
      ['-9867630'],
      ['Detroit', 'Motor City', "Detroit's"],
      ['[7, 47]'],
    ]);
    expect(qs.map((q) => q.id)).toEqual(['0', '1', 'm', 'i']);
  });
  it('guesses the kind of an unknown file', () => {
    const factual = parseBenchmark(
      '{"question":"a","answer":"Paris"}\n{"question":"b","answer":"Rome"}',
      { benchmark: 'f' },
    );
    expect(factual[0]?.kind).toBe('factual');
    const math = parseBenchmark(
      '{"question":"a","answer":"\\\\frac12"}\n{"question":"b","answer":"3"}',
      { benchmark: 'f' },
    );
    expect(math[0]?.kind).toBe('math');
  });
  it('says which row is broken', () => {
    expect(() => parseBenchmark('{"question":"a"}', { benchmark: 'x', source: 'f.jsonl' })).toThrow(
      /f\.jsonl: row 1 has no answer/,
    );
    expect(() =>
      parseBenchmark('{"question":"a","answer":"1"}\nnot json', { benchmark: 'x' }),
    ).toThrow(/line 2 is not valid JSON/);
  });
  it('loads any path with a limit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eval-bench-'));
    const file = join(dir, 'my_set.jsonl');
    writeFileSync(
      file,
      ['{"question":"a","answer":"1"}', '{"question":"b","answer":"2"}'].join('\n'),
    );
    const qs = await loadBenchmark(file, { limit: 1 });
    expect(qs).toHaveLength(1);
    expect(qs[0]?.benchmark).toBe('my_set');
  });
  it('says what is missing, where to put it, and how to fetch it', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'eval-empty-'));
    const err = await loadBenchmark('hotpotqa', { dataDir: empty }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlaygroundError);
    const message = (err as PlaygroundError).message;
    expect((err as PlaygroundError).code).toBe('data_missing');
    expect(message).toContain(join(empty, 'hotpotqa/paper_test_hotpotqa_500.json'));
    expect(message).toContain('playground setup --data');
    expect(message).toContain('hotpotqa_500_20250422.json');
  });
  it('rejects an unknown name', async () => {
    await expect(loadBenchmark('nope')).rejects.toThrow(/Unknown benchmark "nope".*hotpotqa/);
  });
});
