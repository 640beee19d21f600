/** One entry point for both graders, as the runner, the CLI and the app call it. */
import { isAbortError } from '../errors.ts';
import { gradeFactual } from './factual-grader.ts';
import type { FactualJudge } from './llm-judge.ts';
import { gradeMath, type SymbolicEqual } from './math-grader.ts';
import type { GradeResult, QuestionKind } from './types.ts';

export interface GradeOptions {
  /** Math: sympy (or any CAS) for what the built-in rules cannot decide. */
  symbolicEqual?: SymbolicEqual;
  /** Factual: an LLM judge; its verdict replaces the offline rules when it gives one. */
  judge?: FactualJudge;
  /** The question text, which the judge needs. */
  question?: string;
  signal?: AbortSignal;
}

export async function gradeAnswer(
  kind: QuestionKind,
  prediction: string | null,
  golds: readonly string[],
  options: GradeOptions = {},
): Promise<GradeResult> {
  if (kind === 'math')
    return gradeMath(prediction, golds, { symbolicEqual: options.symbolicEqual });
  const rules = gradeFactual(prediction, golds);
  if (!options.judge || prediction === null || !prediction.trim()) return rules;
  try {
    const verdict = await options.judge(options.question ?? '', prediction, golds, options.signal);
    return { ...rules, correct: verdict.correct, method: 'judge', judgeVerdict: verdict.reply };
  } catch (err) {
    if (isAbortError(err)) throw err;
    // A judge that fails (endpoint down, no verdict) leaves the offline rules in charge.
    return rules;
  }
}
