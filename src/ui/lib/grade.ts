/** Correctness against a gold answer, with the project's graders (src/eval), loaded on demand. */
import type { GradeResult, QuestionKind } from '../../eval/types.ts';

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
  return gradeAnswer(kind, prediction, golds(gold));
}

export const METHOD_NOTE: Record<QuestionKind, string> = {
  math: 'math rules: last \\boxed{}, LaTeX normalisation, numbers within 1e-4, tuples, identities (no sympy in the browser)',
  factual: 'normalised exact match or gold contained in the answer (no LLM judge)',
};
