import type { ChatMessage, ChatRequest, TokenUsage, ExecutionResult } from './ports.ts';
import type { SerializedError } from '../errors.ts';

export type AgentMode = 'agent' | 'cot';

/** One request sent to the engine, as sent. */
export interface ModelCall {
  purpose: 'step' | 'fallback' | 'cot' | 'first-thought';
  step: number | null;
  /** Index into RunRecord.turns; absent for the first question. */
  turn?: number;
  request: Omit<ChatRequest, 'signal' | 'onToken' | 'onSample' | 'responseFormat'>;
  outputs: string[];
  usage?: TokenUsage;
  latencyMs: number;
  startedAt: number;
}

/** One SAG candidate (or the single sample when samples = 1). */
export interface Candidate {
  index: number;
  /** The model output as generated. */
  output: string;
  /** Extracted code, or null on a parse error. */
  code: string | null;
  parseError: string | null;
  execution: ExecutionResult | null;
  valid: boolean;
  /** Index into StepRecord.groups, or null when invalid. */
  group: number | null;
}

export interface VoteGroup {
  /** What the group's members produced: printed output plus the final answer, if any. */
  key: string;
  members: number[];
}

export interface StepRecord {
  /** Counts from 1 in every question of a conversation, as smolagents' step_number does. */
  step: number;
  /** Index into RunRecord.turns; absent for the first question. */
  turn?: number;
  /** The assistant message as stored in the conversation (stripped, `<end_code>` appended). */
  modelOutput: string;
  code: string | null;
  /** The user message that follows (observation or error), as sent. */
  observation: string;
  execution: ExecutionResult | null;
  parseError: string | null;
  candidates: Candidate[];
  groups: VoteGroup[];
  chosen: number;
  startedAt: number;
  durationMs: number;
  generationMs: number;
  executionMs: number;
  usage?: TokenUsage;
}

export interface RunSettings {
  mode: AgentMode;
  engine: string;
  model: string;
  promptProfile: string;
  maxSteps: number;
  samples: number;
  temperature: number;
  topP: number;
  maxTokens: number;
  pythonTimeoutMs: number;
  seed?: number;
  firstThoughtPrefix?: string | null;
}

export type RunStatus = 'running' | 'answered' | 'fallback' | 'error' | 'aborted';

/**
 * One question of a conversation: the first, or a follow-up that continues the same agent memory
 * (smolagents' `run(task, reset=False)`). Its steps and model calls carry its index as `turn`.
 */
export interface TaskTurn {
  question: string;
  settings: RunSettings;
  status: RunStatus;
  answer: string | null;
  error?: SerializedError;
  startedAt: number;
  finishedAt: number | null;
  durationMs: number;
  usage: TokenUsage;
}

export interface RunRecord {
  version: 1;
  id: string;
  question: string;
  settings: RunSettings;
  /** In a conversation: the latest question's (so are answer and error). */
  status: RunStatus;
  /** The final answer as text (str of the value passed to final_answer, the fallback text, or the CoT answer). */
  answer: string | null;
  /** The CoT response, when mode = 'cot'. */
  response?: string;
  steps: StepRecord[];
  /** The conversation exactly as it stands (before merging), system prompt first. */
  messages: ChatMessage[];
  modelCalls: ModelCall[];
  error?: SerializedError;
  startedAt: number;
  finishedAt: number | null;
  durationMs: number;
  usage: TokenUsage;
  /**
   * Present once a follow-up was asked: every question in order, the first included. `question`
   * and `settings` above stay the first question's; durationMs and usage are the sums.
   */
  turns?: TaskTurn[];
}
