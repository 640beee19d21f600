/** Shared shapes of the evaluation harness; no host APIs so the app can reuse them. */
import type { JsonValue } from '../json.ts';

export type QuestionKind = 'math' | 'factual';

/**
 * `paper` reproduces the paper's scoring (score_answers.py: math_equal, the gpt-4o-mini-style
 * judge); `lenient` is the playground's own offline grader (docs/grading.md).
 */
export type GraderId = 'paper' | 'lenient';
export const GRADERS: readonly GraderId[] = ['paper', 'lenient'];

/** Shown next to every figure that stands in for the paper's LLM judge. */
export const APPROXIMATE_NOTE = 'approximate: no LLM judge';

export interface BenchQuestion {
  /** Unique within its benchmark; used to resume runs. */
  id: string;
  benchmark: string;
  kind: QuestionKind;
  question: string;
  /** The gold answer first, then accepted aliases. Never empty. */
  answers: string[];
  /** Extra fields of the source row (level, type, subject, url...). */
  metadata?: Record<string, JsonValue>;
}

export type GradeMethod =
  | 'exact'
  | 'numeric'
  | 'structure'
  | 'identity'
  | 'symbolic'
  | 'normalized-match'
  | 'contains'
  | 'judge'
  | 'math-equal'
  | 'none';

export interface GradeResult {
  correct: boolean;
  /** The rule that decided, for reports and debugging. */
  method: GradeMethod;
  /** Which gold string (answers[i]) matched or was closest. */
  matched: string | null;
  /** Token F1 against the best gold, factual only. */
  f1?: number;
  /** The answer as the grader saw it after extraction and normalisation. */
  normalizedPrediction?: string;
  judgeVerdict?: string;
  /** Which grader decided; absent on records written before graders were selectable (lenient). */
  grader?: GraderId;
  /** Paper grader, factual: the offline rules stood in for the LLM judge. */
  approximate?: boolean;
}
