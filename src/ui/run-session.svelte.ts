/**
 * One run as the UI sees it: built up live from the agent's events, then replaced by the final
 * RunRecord. A follow-up question continues the run (one conversation, one saved run); the
 * earlier questions move to `turns`. The heavy runtime (agent loop, Pyodide, index) is imported
 * only when a run starts.
 */
import { followUpProblem } from '../agent/follow-up.ts';
import type { AgentEvent } from '../agent/events.ts';
import type { RunRecord } from '../agent/run-record.ts';
import type { ChatEngine } from '../agent/ports.ts';
import { PlaygroundError, type SerializedError } from '../errors.ts';
import {
  finishRun,
  foldEvent,
  isBusy,
  runElapsedMs,
  settleSteps,
  turnsFromRecord,
  type LiveRun,
  type LiveStep,
  type PastTurn,
  type RunStatus,
} from './lib/live-run.ts';
import type { RunConfig } from './lib/run-config.ts';
import { SavingRun } from './history/saved-runs.svelte.ts';

export type { LiveStep, PastTurn, RunStatus };

/** How the run gets its engine: WebLLM through the model manager, or a server. */
export type EngineProvider = (config: RunConfig, signal: AbortSignal) => Promise<ChatEngine>;

export class RunSession implements LiveRun {
  status = $state<RunStatus>('idle');
  /** What is happening before the first step: loading the model, starting Python... */
  phase = $state('');
  question = $state('');
  config = $state.raw<RunConfig | null>(null);
  steps = $state<LiveStep[]>([]);
  answer = $state<string | null>(null);
  answerSource = $state<'final_answer' | 'fallback' | 'cot' | null>(null);
  fallbackRunning = $state(false);
  error = $state.raw<SerializedError | null>(null);
  record = $state.raw<RunRecord | null>(null);
  startedAt = $state(0);
  now = $state(0);
  /** The earlier questions of this conversation, finished. */
  turns = $state<PastTurn[]>([]);
  private controller: AbortController | null = null;
  /** A replay goes on through the same recording, call after call, across follow-ups. */
  private engine: { config: RunConfig; engine: ChatEngine } | null = null;
  private ticker: ReturnType<typeof setInterval> | null = null;

  get busy(): boolean {
    return isBusy(this.status);
  }

  get elapsedMs(): number {
    return runElapsedMs(this.record, this.startedAt ? this.now - this.startedAt : 0);
  }

  /** Why the shown run cannot take a follow-up question (null: it can). */
  get followUpProblem(): string | null {
    if (this.busy) return 'The run is still going.';
    if (!this.record) return 'Ask a first question.';
    return followUpProblem(this.record);
  }

  /**
   * Runs a question. With `followUp`, it continues the finished run shown (same agent memory,
   * same Python variables, same saved run); without, it starts a new conversation.
   */
  async start(
    question: string,
    config: RunConfig,
    provide: EngineProvider,
    options: { followUp?: boolean } = {},
  ): Promise<RunRecord | null> {
    this.stop();
    const previous = options.followUp ? this.record : null;
    if (options.followUp && (!previous || followUpProblem(previous))) {
      this.error = {
        code: 'bad_input',
        message: this.followUpProblem ?? 'There is nothing to continue.',
      };
      return null;
    }
    const controller = new AbortController();
    this.controller = controller;
    const turns = previous ? turnsFromRecord(previous) : [];
    this.reset();
    this.turns = turns;
    this.question = question;
    this.config = config;
    this.status = 'preparing';
    this.startedAt = Date.now();
    this.now = this.startedAt;
    this.ticker = setInterval(() => (this.now = Date.now()), 250);
    // Saved to History as it goes; storage failures are reported there, never thrown here.
    const saving = new SavingRun(question, config, previous);
    try {
      this.phase =
        config.engine === 'webllm' || config.engine === 'wllama'
          ? 'Loading the model…'
          : 'Connecting…';
      const kept = previous && config.engine === 'replay' ? this.engine : null;
      const engine =
        kept && kept.config.runUrl === config.runUrl
          ? kept.engine
          : await provide(config, controller.signal);
      this.engine = { config, engine };
      saving.engine(engine);
      this.phase = 'Loading the agent…';
      const runtime = await import('./execute-run.ts');
      const record = await runtime.executeRun({
        question,
        config,
        engine,
        ...(previous && { continueFrom: previous }),
        signal: controller.signal,
        onPhase: (p) => (this.phase = p),
        onEvent: (e) => {
          saving.event(e);
          if (this.controller === controller) this.apply(e);
        },
      });
      const saved = saving.finish(record);
      if (this.controller === controller) this.finish(saved);
      return saved;
    } catch (err) {
      const e = PlaygroundError.from(err);
      saving.fail(e, e.code === 'aborted' || controller.signal.aborted);
      if (this.controller !== controller) return null;
      // A follow-up that failed before the agent began never reached the model: the
      // conversation goes on from where it was (the next question saves over this attempt).
      if (previous) this.record = previous;
      this.error = e.toJSON();
      this.status = e.code === 'aborted' || controller.signal.aborted ? 'aborted' : 'error';
      settleSteps(this);
      return null;
    } finally {
      if (this.controller === controller) {
        this.controller = null;
        this.phase = '';
        this.stopTicker();
      }
    }
  }

  /** Aborts generation and Python; the run ends as 'aborted' with what it has. */
  stop(): void {
    this.controller?.abort();
  }

  /** A new conversation: nothing shown, nothing to continue. */
  newChat(): void {
    this.stop();
    this.reset();
    this.turns = [];
    this.question = '';
    this.engine = null;
  }

  reset(): void {
    this.steps = [];
    this.answer = null;
    this.answerSource = null;
    this.fallbackRunning = false;
    this.error = null;
    this.record = null;
    this.status = 'idle';
    this.phase = '';
    this.startedAt = 0;
  }

  private stopTicker(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
  }

  /** Folds one agent event into the live view. */
  apply(e: AgentEvent): void {
    foldEvent(this, e);
    if (e.type === 'run-finished') this.stopTicker();
  }

  private finish(record: RunRecord): void {
    finishRun(this, record);
    this.stopTicker();
  }
}
