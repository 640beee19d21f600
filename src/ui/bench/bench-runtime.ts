/**
 * The heavy half of a browser benchmark run, imported only when one starts: the agent loop, one
 * Pyodide sandbox per question in flight (Python state is per task), the app's one search index
 * shared by all of them, and src/eval's runner and graders. Each question's run is saved to History.
 */
import type { AgentEvent } from '../../agent/events.ts';
import type { ChatEngine, PythonSandbox } from '../../agent/ports.ts';
import { PlaygroundError } from '../../errors.ts';
import {
  gradeAnswer,
  runEvaluation,
  type BenchQuestion,
  type GradeFn,
  type GraderId,
  type RunnerEvent,
  type RunnerResult,
  type SolveFn,
} from '../../eval/index.ts';
import { SavingRun } from '../history/saved-runs.svelte.ts';
import type { RunConfig } from '../lib/run-config.ts';
import { runWithConfig } from '../lib/run-with-config.ts';
import { startBrowserSandbox } from '../execute-run.ts';

export interface BenchRuntimeOptions {
  questions: readonly BenchQuestion[];
  config: RunConfig;
  engine: ChatEngine;
  concurrency: number;
  signal: AbortSignal;
  onEvent: (event: RunnerEvent) => void;
  /** The agent's own events of one question (steps as they happen). */
  onAgentEvent: (question: BenchQuestion, event: AgentEvent) => void;
  onPhase: (text: string) => void;
  /** 'paper' (the paper's scoring, without sympy or an LLM judge here) or 'lenient'. */
  grader: GraderId;
}

async function createSandbox(onPhase: (text: string) => void): Promise<PythonSandbox> {
  const sandbox = await startBrowserSandbox(onPhase);
  onPhase('');
  return sandbox;
}

export function runBenchmark(o: BenchRuntimeOptions): Promise<RunnerResult> {
  const { config, engine } = o;
  // Every question is saved to History as it goes, like a chat run, under the id the benchmark
  // export also carries, so a row of the table can be found and replayed there.
  const solve: SolveFn = async (question, { signal, sandbox }) => {
    const saving = new SavingRun(question.question, config);
    saving.engine(engine);
    try {
      const record = await runWithConfig({
        question: question.question,
        config,
        engine,
        sandbox: async () => {
          if (!sandbox)
            throw new PlaygroundError('internal', 'No Python sandbox for an agent run.');
          return sandbox;
        },
        signal,
        onEvent: (e) => {
          saving.event(e);
          o.onAgentEvent(question, e);
        },
        kind: question.kind,
      });
      return saving.finish(record);
    } catch (err) {
      const e = PlaygroundError.from(err);
      saving.fail(e, e.code === 'aborted' || signal.aborted);
      throw err;
    }
  };
  // No sympy: it would load a large package into every sandbox (and CoT runs have none) for the
  // few answers the rules cannot decide. No LLM judge: factual paper grades say so.
  const grade: GradeFn = (question, answer, { signal }) =>
    gradeAnswer(question.kind, answer, question.answers, {
      grader: o.grader,
      question: question.question,
      signal,
    });
  return runEvaluation({
    questions: o.questions,
    solve,
    mode: config.mode,
    concurrency: o.concurrency,
    createSandbox: config.mode === 'agent' ? () => createSandbox(o.onPhase) : undefined,
    grade,
    signal: o.signal,
    onEvent: o.onEvent,
  });
}
