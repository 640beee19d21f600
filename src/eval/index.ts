/**
 * The evaluation core for the app's benchmark view and other hosts: no Node APIs here. Node-only
 * parts (data directory, run directories, downloads) are under ./node/.
 */
export {
  BENCHMARKS,
  REFERENCE_RAW_BASE,
  benchmarkInfo,
  benchmarkOrder,
  type BenchmarkInfo,
} from './benchmarks.ts';
export { parseBenchmark, type ParseOptions } from './parse-benchmark.ts';
export { gradeAnswer, type GradeOptions } from './grade.ts';
export { gradeMath, mathEqual, numbersClose, type SymbolicEqual } from './math-grader.ts';
export { gradeFactual, normalizeAnswer, tokenF1, goldContained } from './factual-grader.ts';
export { createLlmJudge, parseVerdict, judgePrompt, type FactualJudge } from './llm-judge.ts';
export { createPaperSympyEqual, createSympyEqual } from './sympy-equal.ts';
export { paperMathEqual, paperMathPrediction } from './paper/math-equal.ts';
export { createPaperJudge, paperJudgePrompt } from './paper/judge.ts';
export {
  runEvaluation,
  defaultGrade,
  questionKey,
  toEvalRecord,
  type EvalRecord,
  type GradeFn,
  type RunnerEvent,
  type RunnerOptions,
  type RunnerResult,
  type SolveContext,
  type SolveFn,
} from './runner.ts';
export {
  summarize,
  latestRecords,
  type BenchmarkSummary,
  type EvalRunConfig,
  type RunSummary,
} from './summary.ts';
export { comparisonMarkdown, comparisonSvg, runReportMarkdown } from './report.ts';
export { barChartSvg, type BarChart, type BarSeries } from './svg-chart.ts';
export {
  APPROXIMATE_NOTE,
  GRADERS,
  type BenchQuestion,
  type GradeMethod,
  type GradeResult,
  type GraderId,
  type QuestionKind,
} from './types.ts';
