/**
 * What a recorded run looks like part-way through its replay: the steps as StepCard shows them
 * and the answer, from the deck timeline (src/ui/present/deck.ts). Each timeline event is one reveal:
 * a step's thought, then its code, then its observation; then the final answer. The last event
 * may be caught mid-way while playing, when its text streams in as it did when recorded.
 */
import {
  buildReplayTimeline,
  MAX_REPLAY_SPEED,
  MIN_REPLAY_SPEED,
  type ReplayTimeline,
} from './deck.ts';
import { thoughtText } from '../../agent/code-extraction.ts';
import type { RunRecord, StepRecord } from '../../agent/run-record.ts';
import type { SerializedError } from '../../errors.ts';
import {
  fromRecord,
  isBusy,
  newStep,
  runElapsedMs,
  type LiveRun,
  type LiveStep,
  type RunStatus,
} from '../lib/live-run.ts';

export interface ReplayFrame {
  status: RunStatus;
  steps: LiveStep[];
  answer: string | null;
  answerSource: 'final_answer' | 'fallback' | 'cot' | null;
  error: SerializedError | null;
  /** The record once the replay has reached its end (RunView then shows its totals). */
  record: RunRecord | null;
  /** Recorded milliseconds the replay stands at. */
  recordedMs: number;
}

/** Text of a model output before its first code fence: what the model thought. */
function thoughtOnly(output: string): string {
  // The "Code:" that introduces the fence belongs to the next reveal, not to the thought.
  return thoughtText(output).replace(/\n?Code:\s*$/, '');
}

function chosenOutput(r: StepRecord): string {
  return r.candidates[r.chosen]?.output ?? r.modelOutput;
}

function streaming(step: number, mode: 'agent' | 'cot', text: string, ms: number): LiveStep {
  return {
    ...emptyStep(step, mode),
    phase: 'generating',
    streamed: text,
    output: text,
    durationMs: ms,
  };
}

function emptyStep(step: number, mode: 'agent' | 'cot'): LiveStep {
  // A replayed step has no wall-clock start: its timings come from the recording.
  return { ...newStep(step, 1, mode), phase: 'done', sampled: 1, startedAt: 0 };
}

/**
 * The frame with `shown` events revealed. `clockMs` (at the timeline's speed) says how far into
 * the last revealed event the replay is: before its end, its text is cut where it had got to.
 */
export function replayFrame(
  run: RunRecord,
  timeline: ReplayTimeline,
  shown: number,
  clockMs = Infinity,
): ReplayFrame {
  const frame: ReplayFrame = {
    status: shown > 0 ? 'running' : 'idle',
    steps: [],
    answer: null,
    answerSource: null,
    error: null,
    record: null,
    recordedMs: 0,
  };
  const byStep = new Map<number, LiveStep>();
  const put = (s: LiveStep) => {
    const i = frame.steps.findIndex((x) => x.step === s.step);
    if (i >= 0) frame.steps[i] = s;
    else frame.steps.push(s);
    byStep.set(s.step, s);
  };
  const count = Math.min(shown, timeline.events.length);
  for (let i = 0; i < count; i++) {
    const e = timeline.events[i];
    if (!e) continue;
    const last = i === count - 1;
    const into = Math.max(0, clockMs - e.atMs);
    const partial = last && e.durationMs > 0 && into < e.durationMs;
    const fraction = partial ? into / e.durationMs : 1;
    frame.recordedMs = (e.atMs + e.durationMs * fraction) * timeline.speed;
    if (e.step === null && e.kind === 'model-output') {
      // A CoT run: its one response.
      const ms = (e.durationMs * fraction * timeline.speed) | 0;
      put(
        partial
          ? streaming(1, 'cot', e.text.slice(0, Math.round(e.text.length * fraction)), ms)
          : {
              ...emptyStep(1, 'cot'),
              output: e.text,
              usage: run.usage,
              generationMs: run.modelCalls[0]?.latencyMs ?? null,
              durationMs: run.durationMs,
            },
      );
      continue;
    }
    if (e.kind === 'final-answer') {
      frame.answer = e.text;
      frame.answerSource =
        run.settings.mode === 'cot'
          ? 'cot'
          : run.status === 'fallback'
            ? 'fallback'
            : 'final_answer';
      continue;
    }
    if (e.kind === 'error') {
      frame.error = run.error ?? { code: 'internal', message: e.text };
      continue;
    }
    const rec = run.steps.find((s) => s.step === e.step);
    if (!rec) continue;
    if (e.kind === 'model-output') {
      const text = chosenOutput(rec);
      put(
        partial
          ? streaming(
              rec.step,
              'agent',
              text.slice(0, Math.round(text.length * fraction)),
              (e.durationMs * fraction * timeline.speed) | 0,
            )
          : {
              // The thought alone: its code is the next reveal.
              ...emptyStep(rec.step, 'agent'),
              output: thoughtOnly(text),
              samples: rec.candidates.length || 1,
              sampled: rec.candidates.length || 1,
              usage: rec.usage ?? null,
              generationMs: rec.generationMs,
              durationMs: rec.generationMs,
              startedAt: rec.startedAt,
            },
      );
    } else if (e.kind === 'code') {
      const before = byStep.get(rec.step);
      put({
        ...(before ?? emptyStep(rec.step, 'agent')),
        // 'executing' says Python is running, which is what comes next in the recording.
        phase: 'executing',
        output: chosenOutput(rec),
        code: rec.code,
      });
    } else {
      put(fromRecord(rec, undefined));
    }
  }
  if (count > 0 && count === timeline.events.length && clockMs >= timeline.totalMs) {
    frame.status = run.status === 'running' ? 'aborted' : run.status;
    frame.record = run;
    frame.recordedMs = run.durationMs;
  }
  // A step cut off by the end of the recording (no observation) must not look busy.
  if (frame.record) for (const s of frame.steps) if (s.phase !== 'done') s.phase = 'stopped';
  return frame;
}

/** A frame as RunView shows a run: its clock is the recorded time the replay has reached. */
export function replayRun(frame: ReplayFrame): LiveRun {
  return {
    ...frame,
    phase: '',
    config: null,
    fallbackRunning: false,
    question: '',
    turns: [],
    now: frame.recordedMs,
    busy: isBusy(frame.status),
    elapsedMs: runElapsedMs(frame.record, frame.recordedMs),
  };
}

/** Replay speeds offered by + and -, plus the deck's own. */
export function speedLadder(deckSpeed: number): number[] {
  const base = [0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 20, 50, 100];
  const all = new Set([...base, deckSpeed]);
  return [...all]
    .filter((s) => s >= MIN_REPLAY_SPEED && s <= MAX_REPLAY_SPEED)
    .sort((a, b) => a - b);
}

export function nextSpeed(current: number, deckSpeed: number, dir: 1 | -1): number {
  const ladder = speedLadder(deckSpeed);
  const i = ladder.indexOf(current);
  if (i < 0) return deckSpeed;
  return ladder[Math.min(ladder.length - 1, Math.max(0, i + dir))] ?? current;
}

export { buildReplayTimeline };
