/**
 * One run as the UI sees it: built up live from the agent's events, then replaced by the final
 * RunRecord. The heavy runtime (agent loop, Pyodide, index) is imported only when a run starts.
 */
import type { AgentEvent } from '../agent/events.ts';
import type { RunRecord } from '../agent/run-record.ts';
import type { ChatEngine } from '../engines/chat-engine.ts';
import { PlaygroundError, type SerializedError } from '../errors.ts';
import {
  finishRun,
  foldEvent,
  settleSteps,
  type LiveRun,
  type LiveStep,
  type RunStatus,
} from './lib/live-run.ts';
import type { RunConfig } from './lib/run-config.ts';
import { SavingRun } from './history/saved-runs.svelte.ts';

export type { LiveStep, RunStatus };

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
  private controller: AbortController | null = null;
  private ticker: ReturnType<typeof setInterval> | null = null;

  get busy(): boolean {
    return this.status === 'preparing' || this.status === 'running';
  }

  get elapsedMs(): number {
    if (this.record) return this.record.durationMs;
    return this.startedAt ? this.now - this.startedAt : 0;
  }

  async start(
    question: string,
    config: RunConfig,
    provide: EngineProvider,
  ): Promise<RunRecord | null> {
    this.stop();
    const controller = new AbortController();
    this.controller = controller;
    this.reset();
    this.question = question;
    this.config = config;
    this.status = 'preparing';
    this.startedAt = Date.now();
    this.now = this.startedAt;
    this.ticker = setInterval(() => (this.now = Date.now()), 250);
    // Saved to History as it goes; storage failures are reported there, never thrown here.
    const saving = new SavingRun(question, config);
    try {
      this.phase =
        config.engine === 'webllm' || config.engine === 'wllama'
          ? 'Loading the model…'
          : 'Connecting…';
      const engine = await provide(config, controller.signal);
      saving.engine(engine);
      this.phase = 'Loading the agent…';
      const runtime = await import('./runtime.ts');
      const record = await runtime.executeRun({
        question,
        config,
        engine,
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
