/** One entry point for both graders, as the runner, the CLI and the app call it. */
import { isAbortError } from '../errors.ts';
import { gradeFactual } from './factual-grader.ts';
import type { FactualJudge } from './llm-judge.ts';
import { gradeMath, type SymbolicEqual } from './math-grader.ts';
import { paperMathEqual, paperMathPrediction } from './paper/math-equal.ts';
import type { GradeResult, GraderId, QuestionKind } from './types.ts';

export interface GradeOptions {
  /** Default 'paper'. */
  grader?: GraderId;
  /**
   * Math: sympy (or any CAS). For 'paper' this must be the reference's `symbolic_equal`
   * (createPaperSympyEqual); for 'lenient', whatever decides what the built-in rules cannot.
   */
  symbolicEqual?: SymbolicEqual;
  /** Factual: an LLM judge (createPaperJudge for 'paper'); its verdict replaces the offline rules. */
  judge?: FactualJudge;
  /** The question text, which the judge needs. */
  question?: string;
  signal?: AbortSignal;
}

async function gradePaperMath(
  prediction: string | null,
  golds: readonly string[],
  symbolicEqual: SymbolicEqual | undefined,
): Promise<GradeResult> {
  const base = { method: 'math-equal' as const, grader: 'paper' as const };
  if (prediction === null) return { ...base, correct: false, matched: null };
  const pred = paperMathPrediction(prediction);
  for (const gold of golds) {
    if (await paperMathEqual(pred, gold, { symbolicEqual }))
      return { ...base, correct: true, matched: gold, normalizedPrediction: pred };
  }
  return { ...base, correct: false, matched: null, normalizedPrediction: pred };
}

export async function gradeAnswer(
  kind: QuestionKind,
  prediction: string | null,
  golds: readonly string[],
  options: GradeOptions = {},
): Promise<GradeResult> {
  const grader = options.grader ?? 'paper';
  if (kind === 'math') {
    if (grader === 'paper') return gradePaperMath(prediction, golds, options.symbolicEqual);
    return {
      ...(await gradeMath(prediction, golds, { symbolicEqual: options.symbolicEqual })),
      grader,
    };
  }
  const rules: GradeResult = { ...gradeFactual(prediction, golds), grader };
  // The paper judged every answer, a missing one too; the lenient grader only judges answers.
  const judgeable = grader === 'paper' || (prediction !== null && prediction.trim() !== '');
  if (!options.judge || !judgeable)
    return grader === 'paper' ? { ...rules, approximate: true } : rules;
  try {
    const verdict = await options.judge(options.question ?? '', prediction, golds, options.signal);
    return { ...rules, correct: verdict.correct, method: 'judge', judgeVerdict: verdict.reply };
  } catch (err) {
    if (isAbortError(err)) throw err;
    // A judge that fails (endpoint down, no verdict) leaves the offline rules in charge.
    return grader === 'paper' ? { ...rules, approximate: true } : rules;
  }
}
