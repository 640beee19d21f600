/** Shared shapes of the evaluation harness; no host APIs so the app can reuse them. */
import type { JsonValue } from '../json.ts';

export type QuestionKind = 'math' | 'factual';

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
}
