/**
 * One question run as the app's settings say: the CoT baseline, or the agent loop with the
 * settings' sampling, limits and seed. The chat and the benchmark view both run through here, so
 * a setting added to RunConfig reaches every run the app makes.
 */
import type { AgentEventListener } from '../../agent/events.ts';
import { getPromptProfile } from '../../agent/prompt-profile.ts';
import { runQuestion } from '../../agent/run-question.ts';
import type { RunRecord } from '../../agent/run-record.ts';
import type { ChatEngine, PythonSandbox } from '../../agent/ports.ts';
import type { RunConfig } from './run-config.ts';

export interface RunWithConfigOptions {
  question: string;
  config: RunConfig;
  engine: ChatEngine;
  /** Asked for only in agent mode: CoT runs never start Python. */
  sandbox: () => Promise<PythonSandbox>;
  signal: AbortSignal;
  onEvent: AgentEventListener;
  /** How CoT picks its answer; a benchmark knows, a chat question does not. */
  kind?: 'math' | 'factual' | 'auto';
  /** A finished agent run to continue with this question (a follow-up in Chat). */
  continueFrom?: RunRecord;
  /** The model's context window, when known (WebLLM models); see context-window.ts. */
  contextWindow?: number;
}

export function runWithConfig(o: RunWithConfigOptions): Promise<RunRecord> {
  const { config } = o;
  return runQuestion({
    mode: config.mode,
    question: o.question,
    engine: o.engine,
    sandbox: o.sandbox,
    profile: getPromptProfile(config.profile),
    maxSteps: config.maxSteps,
    samples: config.samples,
    temperature: config.temperature,
    topP: config.topP,
    maxTokens: config.maxTokens,
    pythonTimeoutMs: config.pythonTimeoutS * 1000,
    signal: o.signal,
    onEvent: o.onEvent,
    ...(config.seed !== null && { seed: config.seed }),
    ...(o.kind !== undefined && { kind: o.kind }),
    ...(o.continueFrom && { continueFrom: o.continueFrom }),
    ...(o.contextWindow !== undefined && { contextWindow: o.contextWindow }),
  });
}
