/** Correctness against a gold answer, with the project's graders (src/eval), loaded on demand. */
import type { GradeResult, GraderId, QuestionKind } from '../../eval/types.ts';

export type { GradeResult, QuestionKind };

/** Alternatives in one field are separated by `|`. */
export function golds(gold: string): string[] {
  return gold
    .split('|')
    .map((g) => g.trim())
    .filter(Boolean);
}

/** A gold that is a number or LaTeX is graded as math; anything with words as a fact. */
export function guessKind(gold: string): QuestionKind {
  const words = gold.replace(/\\[a-zA-Z]+/g, '').match(/[a-zA-Z]{3,}/g);
  return /\d|\\/.test(gold) && !words ? 'math' : 'factual';
}

export async function grade(
  kind: QuestionKind,
  prediction: string | null,
  gold: string,
): Promise<GradeResult> {
  const { gradeAnswer } = await import('../../eval/grade.ts');
  // Single questions (compare view) keep the lenient rules, which METHOD_NOTE describes.
  return gradeAnswer(kind, prediction, golds(gold), { grader: 'lenient' });
}

/** What each grader does in the browser (no sympy, no LLM judge there). */
export const GRADER_NOTE: Record<GraderId, Record<QuestionKind, string>> = {
  paper: {
    math: "the paper's math_equal: boxed answer only when it says boxed, numbers within 1e-4 or ×100 / ÷100, brackets ignored (its sympy step is left out in the browser)",
    factual:
      "offline rules standing in for the paper's LLM judge, so the figures are approximate: no LLM judge",
  },
  lenient: {
    math: 'lenient math rules: last \\boxed{}, LaTeX normalisation, numbers within 1e-4, tuples, identities (no sympy in the browser)',
    factual: 'lenient: normalised exact match or gold contained in the answer (no LLM judge)',
  },
};

export const METHOD_NOTE: Record<QuestionKind, string> = {
  math: 'math rules: last \\boxed{}, LaTeX normalisation, numbers within 1e-4, tuples, identities (no sympy in the browser)',
  factual: 'normalised exact match or gold contained in the answer (no LLM judge)',
};
