/**
 * A run as the UI shows it, folded from the agent's events and then from the final record. Plain
 * functions over a plain shape, so the runes store (run-session.svelte.ts) and tests share them.
 */
import type { AgentEvent } from '../../agent/events.ts';
import { recordTurns, stepsOfTurn } from '../../agent/follow-up.ts';
import type { Candidate, RunRecord, StepRecord, VoteGroup } from '../../agent/run-record.ts';
import type { TokenUsage, ExecutionResult } from '../../agent/ports.ts';
import type { SerializedError } from '../../errors.ts';
import type { RunConfig } from './run-config.ts';

export type RunStatus =
  'idle' | 'preparing' | 'running' | 'answered' | 'fallback' | 'error' | 'aborted';

export interface LiveStep {
  step: number;
  /** CoT has one step and no Python. */
  mode: 'agent' | 'cot';
  /** 'stopped': the run ended (stop, error) before this step finished. */
  phase: 'generating' | 'executing' | 'done' | 'stopped';
  /** Tokens as they stream (single sample). */
  streamed: string;
  /** The chosen model output (or the streamed text until there is one). */
  output: string;
  samples: number;
  /** SAG candidates generated so far (before any runs). */
  sampled: number;
  candidates: Candidate[];
  groups: VoteGroup[];
  chosen: number | null;
  code: string | null;
  observation: string | null;
  execution: ExecutionResult | null;
  error: { kind: 'parse' | 'execution'; message: string } | null;
  usage: TokenUsage | null;
  generationMs: number | null;
  executionMs: number | null;
  durationMs: number | null;
  startedAt: number;
}

/** An earlier question of a conversation, finished, as the UI shows it above the current one. */
export interface PastTurn {
  question: string;
  steps: LiveStep[];
  answer: string | null;
  answerSource: 'final_answer' | 'fallback' | 'cot' | null;
  status: RunStatus;
  error: SerializedError | null;
  durationMs: number;
  usage: TokenUsage | null;
}

/** What the agent's events and the final record write as they are folded in. */
export interface LiveRunState {
  status: RunStatus;
  phase: string;
  config: RunConfig | null;
  steps: LiveStep[];
  answer: string | null;
  answerSource: 'final_answer' | 'fallback' | 'cot' | null;
  fallbackRunning: boolean;
  error: SerializedError | null;
  record: RunRecord | null;
}

/**
 * A run as RunView shows it, whatever holds it: a session running now (RunSession), a saved run
 * (History), a recorded run part-way through its replay (Present).
 */
export interface LiveRun extends Readonly<LiveRunState> {
  /** The question being asked; shown above the steps once there are earlier turns. */
  readonly question: string;
  /** The earlier questions of the conversation, finished. */
  readonly turns: readonly PastTurn[];
  /** The clock the step timers of unfinished steps read. */
  readonly now: number;
  readonly busy: boolean;
  readonly elapsedMs: number;
}

/** How long the run shown took: its latest question's time once there is a record. */
export function runElapsedMs(record: RunRecord | null, runningMs: number): number {
  const turns = record ? recordTurns(record) : [];
  const last = turns[turns.length - 1];
  if (last && turns.length > 1) return last.durationMs;
  if (record) return record.durationMs;
  return runningMs;
}

export const isBusy = (status: RunStatus): boolean =>
  status === 'preparing' || status === 'running';

function current(run: LiveRunState, step: number): LiveStep | undefined {
  return run.steps.find((s) => s.step === step);
}

export function foldEvent(run: LiveRunState, e: AgentEvent): void {
  switch (e.type) {
    case 'run-started':
      run.status = 'running';
      run.phase = '';
      break;
    case 'step-started':
      run.steps.push(
        run.config?.mode === 'cot'
          ? newStep(e.step, 1, 'cot')
          : newStep(e.step, run.config?.samples ?? 1, 'agent'),
      );
      break;
    case 'token': {
      const s = current(run, e.step);
      if (s) {
        s.streamed += e.delta;
        s.output = s.streamed;
      }
      break;
    }
    case 'model-output': {
      const s = current(run, e.step);
      if (!s) break;
      s.phase = 'executing';
      s.output = e.outputs[0] ?? s.streamed;
      s.usage = e.usage ?? null;
      s.generationMs = e.latencyMs;
      break;
    }
    case 'sample': {
      const s = current(run, e.step);
      if (s) s.sampled = Math.max(s.sampled, e.index + 1);
      break;
    }
    case 'candidate': {
      const s = current(run, e.step);
      if (s) {
        s.samples = e.total;
        s.candidates.push(e.candidate);
      }
      break;
    }
    case 'vote': {
      const s = current(run, e.step);
      if (s) {
        s.groups = e.groups;
        s.chosen = e.chosen;
        s.output = s.candidates.find((c) => c.index === e.chosen)?.output ?? s.output;
      }
      break;
    }
    case 'code': {
      const s = current(run, e.step);
      if (s) s.code = e.code;
      break;
    }
    case 'error': {
      const s = current(run, e.step);
      if (s) s.error = { kind: e.kind, message: e.message };
      break;
    }
    case 'observation': {
      const s = current(run, e.step);
      if (s) {
        s.observation = e.observation;
        s.execution = e.execution;
      }
      break;
    }
    case 'step-finished': {
      const i = run.steps.findIndex((s) => s.step === e.record.step);
      const live = fromRecord(e.record, run.steps[i]);
      if (i >= 0) run.steps[i] = live;
      else run.steps.push(live);
      break;
    }
    case 'fallback-started':
      run.fallbackRunning = true;
      break;
    case 'final-answer':
      run.answer = e.answer;
      run.answerSource = e.source;
      run.fallbackRunning = false;
      break;
    case 'run-finished':
      finishRun(run, e.record);
      break;
  }
}

export function finishRun(run: LiveRunState, record: RunRecord): void {
  run.record = record;
  run.status = record.status === 'running' ? 'error' : record.status;
  run.error = record.error ?? null;
  run.fallbackRunning = false;
  if (record.answer !== null) {
    run.answer = record.answer;
    run.answerSource = record.status === 'fallback' ? 'fallback' : 'final_answer';
  }
  if (record.settings.mode === 'cot') {
    const s = run.steps[0];
    if (s) {
      // CoT reports no step-finished: the record closes its one step.
      if (record.status === 'answered' || record.status === 'fallback') s.phase = 'done';
      s.output = record.response ?? s.output;
      s.usage = record.usage;
      s.durationMs = record.durationMs;
      s.generationMs = record.modelCalls[0]?.latencyMs ?? null;
    }
    run.answerSource = 'cot';
  }
  settleSteps(run);
}

export function newStep(step: number, samples: number, mode: 'agent' | 'cot'): LiveStep {
  return {
    step,
    mode,
    phase: 'generating',
    streamed: '',
    output: '',
    samples,
    sampled: 0,
    candidates: [],
    groups: [],
    chosen: null,
    code: null,
    observation: null,
    execution: null,
    error: null,
    usage: null,
    generationMs: null,
    executionMs: null,
    durationMs: null,
    startedAt: Date.now(),
  };
}

export function fromRecord(r: StepRecord, live: LiveStep | undefined): LiveStep {
  const execError = r.execution?.status === 'error' ? (r.execution.error?.message ?? null) : null;
  return {
    step: r.step,
    mode: 'agent',
    phase: 'done',
    streamed: live?.streamed ?? '',
    output: r.candidates[r.chosen]?.output ?? r.modelOutput,
    samples: r.candidates.length,
    sampled: r.candidates.length,
    candidates: r.candidates,
    groups: r.groups,
    chosen: r.chosen,
    code: r.code,
    observation: r.observation,
    execution: r.execution,
    error: r.parseError
      ? { kind: 'parse', message: r.parseError }
      : execError
        ? { kind: 'execution', message: execError }
        : null,
    usage: r.usage ?? null,
    generationMs: r.generationMs,
    executionMs: r.executionMs,
    durationMs: r.durationMs,
    startedAt: r.startedAt,
  };
}

/** Steps still in flight when a run ends were cut short; they must not look busy. */
export function settleSteps(run: LiveRunState): void {
  for (const s of run.steps) {
    if (s.phase === 'generating' || s.phase === 'executing') {
      s.phase = 'stopped';
      s.durationMs ??= Date.now() - s.startedAt;
    }
  }
}

/** Every question of a record as a finished turn (the last one included). */
export function turnsFromRecord(record: RunRecord): PastTurn[] {
  return recordTurns(record).map((t, i) => ({
    question: t.question,
    steps: stepsOfTurn(record, i).map((s) => fromRecord(s, undefined)),
    answer: t.answer,
    answerSource: t.answer === null ? null : t.status === 'fallback' ? 'fallback' : 'final_answer',
    status: t.status === 'running' ? 'error' : t.status,
    error: t.error ?? null,
    durationMs: t.durationMs,
    usage: t.usage,
  }));
}
