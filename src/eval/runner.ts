/**
 * The evaluation loop: questions in, graded records out, C at a time. No host APIs, so the app's
 * benchmark view runs the same loop; writing files is the caller's job (onRecord).
 */
import type { AgentMode, RunRecord } from '../agent/run-record.ts';
import { PlaygroundError, isAbortError, type SerializedError } from '../errors.ts';
import type { TokenUsage, PythonSandbox } from '../agent/ports.ts';
import { gradeAnswer, type GradeOptions } from './grade.ts';
import { createPaperSympyEqual, createSympyEqual } from './sympy-equal.ts';
import type { BenchQuestion, GradeResult, QuestionKind } from './types.ts';

/** One graded question, one line of records.jsonl. */
export interface EvalRecord {
  version: 1;
  benchmark: string;
  id: string;
  kind: QuestionKind;
  mode: AgentMode;
  question: string;
  gold: string[];
  answer: string | null;
  correct: boolean;
  grade: GradeResult;
  status: RunRecord['status'];
  steps: number;
  /** Calls of tools from inside the code (web_search...). */
  toolCalls: number;
  /** Steps whose code ran (the Python tool). */
  codeExecutions: number;
  parseErrors: number;
  executionErrors: number;
  /** The max-steps fallback answered. */
  fallback: boolean;
  usage: TokenUsage;
  durationMs: number;
  finishedAt: number;
  error?: SerializedError;
  /** The whole run (conversation, candidates, votes), unless the caller drops it. */
  run?: RunRecord;
}

export interface SolveContext {
  signal: AbortSignal;
  /** This worker's own sandbox, reset before each question; null without a factory. */
  sandbox: PythonSandbox | null;
}

/** Runs one question (runAgent / runCot behind it); may throw, the runner records the error. */
export type SolveFn = (question: BenchQuestion, context: SolveContext) => Promise<RunRecord>;

export type GradeFn = (
  question: BenchQuestion,
  answer: string | null,
  context: SolveContext,
) => Promise<GradeResult>;

export type RunnerEvent =
  | { type: 'started'; total: number; skipped: number; concurrency: number }
  | { type: 'question-started'; question: BenchQuestion }
  | { type: 'question-finished'; record: EvalRecord; completed: number; total: number }
  | { type: 'finished'; aborted: boolean; completed: number; total: number };

export interface RunnerOptions {
  questions: readonly BenchQuestion[];
  solve: SolveFn;
  mode: AgentMode;
  concurrency?: number;
  /** One sandbox per concurrent question (Python state is per task). */
  createSandbox?: () => Promise<PythonSandbox>;
  /** Default: the offline graders, with sympy in the worker's sandbox when there is one. */
  grade?: GradeFn;
  /** Keys (questionKey) already done: a resumed run skips them. */
  done?: ReadonlySet<string>;
  signal?: AbortSignal;
  /** Awaited before the question counts as finished, so a record is on disk before the next. */
  onRecord?: (record: EvalRecord) => void | Promise<void>;
  onEvent?: (event: RunnerEvent) => void;
  /** Drop the full run from records (smaller files); default false. */
  dropRuns?: boolean;
}

export interface RunnerResult {
  records: EvalRecord[];
  aborted: boolean;
}

export function questionKey(q: { benchmark: string; id: string }): string {
  return `${q.benchmark}/${q.id}`;
}

/** The chosen grader (default paper); math asks sympy through the worker's sandbox. */
export function defaultGrade(extra: GradeOptions = {}): GradeFn {
  const grader = extra.grader ?? 'paper';
  const sympyHook = grader === 'paper' ? createPaperSympyEqual : createSympyEqual;
  return (question, answer, { sandbox, signal }) =>
    gradeAnswer(question.kind, answer, question.answers, {
      ...extra,
      grader,
      question: question.question,
      signal,
      symbolicEqual: extra.symbolicEqual ?? (sandbox ? sympyHook(sandbox) : undefined),
    });
}

function zeroUsage(): TokenUsage {
  return { promptTokens: 0, completionTokens: 0 };
}

/** Turns a run into the graded line; counts come from the steps. */
export function toEvalRecord(
  question: BenchQuestion,
  mode: AgentMode,
  run: RunRecord | null,
  grade: GradeResult,
  error?: SerializedError,
): EvalRecord {
  const steps = run?.steps ?? [];
  return {
    version: 1,
    benchmark: question.benchmark,
    id: question.id,
    kind: question.kind,
    mode,
    question: question.question,
    gold: question.answers,
    answer: run?.answer ?? null,
    correct: grade.correct,
    grade,
    status: error ? 'error' : (run?.status ?? 'error'),
    steps: steps.length,
    toolCalls: steps.reduce((n, s) => n + (s.execution?.toolCalls.length ?? 0), 0),
    codeExecutions: steps.filter((s) => s.execution !== null).length,
    parseErrors: steps.filter((s) => s.parseError !== null).length,
    executionErrors: steps.filter((s) => s.execution?.status === 'error').length,
    fallback: run?.status === 'fallback',
    usage: run?.usage ?? zeroUsage(),
    durationMs: run?.durationMs ?? 0,
    finishedAt: Date.now(),
    ...((error ?? run?.error) ? { error: error ?? run?.error } : {}),
    ...(run ? { run } : {}),
  };
}

export async function runEvaluation(options: RunnerOptions): Promise<RunnerResult> {
  const { solve, mode, signal } = options;
  const done = options.done ?? new Set<string>();
  const todo = options.questions.filter((q) => !done.has(questionKey(q)));
  const concurrency = Math.max(1, Math.min(Math.floor(options.concurrency ?? 1), todo.length || 1));
  const grade = options.grade ?? defaultGrade();
  const emit = options.onEvent ?? (() => undefined);
  const records: EvalRecord[] = [];
  const inner = new AbortController();
  // Each question gets its own signal, fanned out from here: one shared signal would collect a
  // listener per request in flight (and Node's leak warning past ten).
  const active = new Set<AbortController>();
  inner.signal.addEventListener('abort', () => {
    for (const c of active) c.abort(inner.signal.reason);
  });
  const onAbort = (): void => inner.abort(signal?.reason);
  if (signal?.aborted) inner.abort(signal.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  emit({
    type: 'started',
    total: todo.length,
    skipped: options.questions.length - todo.length,
    concurrency,
  });

  let next = 0;
  const worker = async (): Promise<void> => {
    let sandbox: PythonSandbox | null = null;
    let fresh = true;
    try {
      while (!inner.signal.aborted) {
        const question = todo[next++];
        if (!question) return;
        emit({ type: 'question-started', question });
        try {
          if (options.createSandbox && !sandbox) {
            sandbox = await options.createSandbox();
            await sandbox.start();
            fresh = true;
          }
          if (sandbox && !fresh) await sandbox.reset();
          fresh = false;
        } catch (err) {
          // A sandbox that cannot start or reset is replaced for the next question.
          await sandbox?.dispose().catch(() => undefined);
          sandbox = null;
          if (inner.signal.aborted) return;
          const e = PlaygroundError.from(err, 'python_start_failed').toJSON();
          await finish(toEvalRecord(question, mode, null, noGrade(), e));
          continue;
        }
        const own = new AbortController();
        active.add(own);
        const context: SolveContext = { signal: own.signal, sandbox };
        let run: RunRecord | null = null;
        let error: SerializedError | undefined;
        try {
          run = await solve(question, context);
        } catch (err) {
          if (inner.signal.aborted && isAbortError(err)) return;
          error = PlaygroundError.from(err).toJSON();
        }
        // Stopped mid-question: leave it out so a resumed run asks it again.
        if (inner.signal.aborted && (run?.status === 'aborted' || run?.error?.code === 'aborted'))
          return;
        let graded: GradeResult = noGrade();
        if (run && !error) {
          try {
            graded = await grade(question, run.answer, context);
          } catch (err) {
            if (inner.signal.aborted && isAbortError(err)) return;
            error = PlaygroundError.from(err).toJSON();
          }
        }
        active.delete(own);
        const record = toEvalRecord(question, mode, run, graded, error);
        if (options.dropRuns) delete record.run;
        await finish(record);
      }
    } catch (err) {
      inner.abort(err);
      throw err;
    } finally {
      await sandbox?.dispose().catch(() => undefined);
    }
  };

  const finish = async (record: EvalRecord): Promise<void> => {
    await options.onRecord?.(record);
    records.push(record);
    emit({ type: 'question-finished', record, completed: records.length, total: todo.length });
  };

  try {
    const results = await Promise.allSettled(Array.from({ length: concurrency }, () => worker()));
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    // Only onRecord (e.g. the disk is full) can fail a worker: that must stop the run loudly.
    if (failure) throw failure.reason;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  const aborted = inner.signal.aborted;
  emit({ type: 'finished', aborted, completed: records.length, total: todo.length });
  return { records, aborted };
}

function noGrade(): GradeResult {
  return { correct: false, method: 'none', matched: null };
}
