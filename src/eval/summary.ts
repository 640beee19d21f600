/** Figures of one evaluation run, per benchmark and overall: what summary.json holds. */
import type { AgentMode } from '../agent/run-record.ts';
import { benchmarkInfo, benchmarkOrder } from './benchmarks.ts';
import { questionKey, type EvalRecord } from './runner.ts';
import type { GraderId, QuestionKind } from './types.ts';

/** The settings a run directory was made with (config.json); a resumed run must match them. */
export interface EvalRunConfig {
  version: 1;
  /** Column heading in comparisons, e.g. "Qwen2.5-1.5B agent SAG×8". */
  label: string;
  mode: AgentMode;
  engine: string;
  model: string;
  baseUrl?: string;
  promptProfile: string;
  samples: number;
  maxSteps: number;
  temperature?: number;
  topP?: number;
  benchmarks: string[];
  limit?: number;
  judge?: string;
  /** Absent in runs from before graders were selectable: those were graded `lenient`. */
  grader?: GraderId;
  createdAt: string;
}

export interface BenchmarkSummary {
  benchmark: string;
  label: string;
  kind: QuestionKind;
  questions: number;
  correct: number;
  /** Percent, 0-100. */
  accuracy: number;
  /** Factual sets: mean token F1 in percent. */
  meanF1?: number;
  /** Some answers were graded by the offline rules in place of the paper's LLM judge. */
  approximate?: boolean;
  meanSteps: number;
  meanToolCalls: number;
  meanCodeExecutions: number;
  parseErrors: number;
  executionErrors: number;
  fallbacks: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  meanTimeMs: number;
  totalTimeMs: number;
}

export interface RunSummary {
  version: 1;
  config: EvalRunConfig;
  updatedAt: string;
  complete: boolean;
  /** Paper order (Table 2), then other sets by name. */
  benchmarks: BenchmarkSummary[];
  overall: {
    questions: number;
    correct: number;
    /** Over all questions. */
    accuracy: number;
    /** Mean of the per-benchmark accuracies, as the paper averages. */
    averageAccuracy: number;
    /** Some figure above is approximate (no LLM judge under the paper grader). */
    approximate?: boolean;
    parseErrors: number;
    fallbacks: number;
    errors: number;
    promptTokens: number;
    completionTokens: number;
    totalTimeMs: number;
    /** Wall-clock time of the runs that produced the records (sum over resumptions). */
    wallTimeMs: number;
  };
}

const round = (x: number, digits = 2): number => Math.round(x * 10 ** digits) / 10 ** digits;
const mean = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

/** The last record per question wins (a retried error replaces the earlier line). */
export function latestRecords(records: readonly EvalRecord[]): EvalRecord[] {
  const byKey = new Map<string, EvalRecord>();
  for (const r of records) byKey.set(questionKey(r), r);
  return [...byKey.values()];
}

function summarizeBenchmark(name: string, records: EvalRecord[]): BenchmarkSummary {
  const kind = records[0]?.kind ?? benchmarkInfo(name)?.kind ?? 'factual';
  const f1s = records.map((r) => r.grade.f1).filter((f): f is number => f !== undefined);
  const durations = records.map((r) => r.durationMs);
  return {
    benchmark: name,
    label: benchmarkInfo(name)?.label ?? name,
    kind,
    questions: records.length,
    correct: records.filter((r) => r.correct).length,
    accuracy: round((100 * records.filter((r) => r.correct).length) / Math.max(1, records.length)),
    ...(kind === 'factual' && f1s.length ? { meanF1: round(100 * mean(f1s)) } : {}),
    ...(records.some((r) => r.grade.approximate) ? { approximate: true } : {}),
    meanSteps: round(mean(records.map((r) => r.steps))),
    meanToolCalls: round(mean(records.map((r) => r.toolCalls))),
    meanCodeExecutions: round(mean(records.map((r) => r.codeExecutions))),
    parseErrors: records.reduce((n, r) => n + r.parseErrors, 0),
    executionErrors: records.reduce((n, r) => n + r.executionErrors, 0),
    fallbacks: records.filter((r) => r.fallback).length,
    errors: records.filter((r) => r.status === 'error').length,
    promptTokens: records.reduce((n, r) => n + r.usage.promptTokens, 0),
    completionTokens: records.reduce((n, r) => n + r.usage.completionTokens, 0),
    meanTimeMs: Math.round(mean(durations)),
    totalTimeMs: durations.reduce((a, b) => a + b, 0),
  };
}

export function summarize(
  config: EvalRunConfig,
  allRecords: readonly EvalRecord[],
  extra: { complete?: boolean; wallTimeMs?: number; now?: Date } = {},
): RunSummary {
  const records = latestRecords(allRecords);
  const groups = new Map<string, EvalRecord[]>();
  for (const r of records) groups.set(r.benchmark, [...(groups.get(r.benchmark) ?? []), r]);
  const benchmarks = [...groups.entries()]
    .sort(([a], [b]) => benchmarkOrder(a) - benchmarkOrder(b) || a.localeCompare(b))
    .map(([name, rs]) => summarizeBenchmark(name, rs));
  const sum = (f: (b: BenchmarkSummary) => number): number =>
    benchmarks.reduce((n, b) => n + f(b), 0);
  const questions = sum((b) => b.questions);
  const correct = sum((b) => b.correct);
  return {
    version: 1,
    config,
    updatedAt: (extra.now ?? new Date()).toISOString(),
    complete: extra.complete ?? false,
    benchmarks,
    overall: {
      questions,
      correct,
      accuracy: round((100 * correct) / Math.max(1, questions)),
      averageAccuracy: round(mean(benchmarks.map((b) => b.accuracy))),
      ...(benchmarks.some((b) => b.approximate) ? { approximate: true } : {}),
      parseErrors: sum((b) => b.parseErrors),
      fallbacks: sum((b) => b.fallbacks),
      errors: sum((b) => b.errors),
      promptTokens: sum((b) => b.promptTokens),
      completionTokens: sum((b) => b.completionTokens),
      totalTimeMs: sum((b) => b.totalTimeMs),
      wallTimeMs: extra.wallTimeMs ?? 0,
    },
  };
}
