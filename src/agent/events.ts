import type { TokenUsage, ExecutionResult } from './ports.ts';
import type { Candidate, RunRecord, StepRecord, VoteGroup } from './run-record.ts';

/** What a run reports as it goes; the UI renders these live, the CLI prints some. */
export type AgentEvent =
  | {
      type: 'run-started';
      runId: string;
      question: string;
      mode: RunRecord['settings']['mode'];
      /** Set for a follow-up question: its index in RunRecord.turns. */
      turn?: number;
    }
  | { type: 'step-started'; step: number }
  | { type: 'token'; step: number; delta: string }
  /** SAG: sample `index` of `total` is generated (before any is run). */
  | { type: 'sample'; step: number; index: number; total: number }
  | { type: 'model-output'; step: number; outputs: string[]; usage?: TokenUsage; latencyMs: number }
  | { type: 'candidate'; step: number; candidate: Candidate; total: number }
  | { type: 'vote'; step: number; groups: VoteGroup[]; chosen: number }
  | { type: 'code'; step: number; code: string }
  | { type: 'observation'; step: number; observation: string; execution: ExecutionResult | null }
  | { type: 'error'; step: number; kind: 'parse' | 'execution'; message: string }
  | { type: 'step-finished'; record: StepRecord }
  | { type: 'fallback-started' }
  | { type: 'final-answer'; answer: string; source: 'final_answer' | 'fallback' | 'cot' }
  | { type: 'run-finished'; record: RunRecord };

export type AgentEventListener = (event: AgentEvent) => void;
