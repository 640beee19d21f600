/**
 * One question in either mode: the CoT baseline or the agent loop. The CLI, the app and eval
 * choose here, so the two modes get the same options the same way everywhere.
 */
import type { PythonSandbox } from './ports.ts';
import { runAgent, type AgentRunOptions } from './run-agent.ts';
import { runCot, type CotRunOptions } from './run-cot.ts';
import type { AgentMode, RunRecord } from './run-record.ts';

export interface QuestionRunOptions extends Omit<
  AgentRunOptions,
  'sandbox' | 'firstThoughtPrefix' | 'systemPrompt'
> {
  mode: AgentMode;
  /** Asked for only in agent mode: CoT runs never start Python. */
  sandbox: () => Promise<PythonSandbox>;
  /** How CoT picks its answer (see run-cot.ts); the agent ignores it. */
  kind?: CotRunOptions['kind'];
}

export async function runQuestion(o: QuestionRunOptions): Promise<RunRecord> {
  const { mode, sandbox, kind, ...agent } = o;
  if (mode === 'cot') {
    // The baseline takes only what it uses: its answer budget is its own (COT_MAX_TOKENS).
    const { question, engine, profile, seed, signal, onEvent, runId } = agent;
    return runCot({
      question,
      engine,
      profile,
      ...(kind !== undefined && { kind }),
      ...(seed !== undefined && { seed }),
      ...(signal !== undefined && { signal }),
      ...(onEvent !== undefined && { onEvent }),
      ...(runId !== undefined && { runId }),
    });
  }
  return runAgent({ ...agent, sandbox: await sandbox() });
}
