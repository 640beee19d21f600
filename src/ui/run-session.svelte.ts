/**
 * One run as the UI sees it: built up live from the agent's events, then replaced by the final
 * RunRecord. The heavy runtime (agent loop, Pyodide, index) is imported only when a run starts.
 */
import type { AgentEvent } from '../agent/events.ts';
import type { Candidate, RunRecord, StepRecord, VoteGroup } from '../agent/run-record.ts';
import type { ChatEngine, TokenUsage } from '../engines/chat-engine.ts';
import type { ExecutionResult } from '../python/sandbox.ts';
import { PlaygroundError, type SerializedError } from '../errors.ts';
import type { RunConfig } from './lib/run-config.ts';

export type RunStatus =
  'idle' | 'preparing' | 'running' | 'answered' | 'fallback' | 'error' | 'aborted';

export interface LiveStep {
  step: number;
  /** CoT has one step and no Python. */
  mode: 'agent' | 'cot';
  phase: 'generating' | 'executing' | 'done';
  /** Tokens as they stream (single sample). */
  streamed: string;
  /** The chosen model output (or the streamed text until there is one). */
  output: string;
  samples: number;
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

/** How the run gets its engine: WebLLM through the model manager, or a server. */
export type EngineProvider = (config: RunConfig, signal: AbortSignal) => Promise<ChatEngine>;

export class RunSession {
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
    try {
      this.phase = config.engine === 'webllm' ? 'Loading the model…' : 'Connecting…';
      const engine = await provide(config, controller.signal);
      this.phase = 'Loading the agent…';
      const runtime = await import('./runtime.ts');
      const record = await runtime.executeRun({
        question,
        config,
        engine,
        signal: controller.signal,
        onPhase: (p) => (this.phase = p),
        onEvent: (e) => {
          if (this.controller === controller) this.apply(e);
        },
      });
      if (this.controller === controller) this.finish(record);
      return record;
    } catch (err) {
      if (this.controller !== controller) return null;
      const e = PlaygroundError.from(err);
      this.error = e.toJSON();
      this.status = e.code === 'aborted' || controller.signal.aborted ? 'aborted' : 'error';
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

  private current(step: number): LiveStep | undefined {
    return this.steps.find((s) => s.step === step);
  }

  /** Folds one agent event into the live view. */
  apply(e: AgentEvent): void {
    switch (e.type) {
      case 'run-started':
        this.status = 'running';
        this.phase = '';
        break;
      case 'step-started':
        this.steps.push(
          this.config?.mode === 'cot'
            ? newStep(e.step, 1, 'cot')
            : newStep(e.step, this.config?.samples ?? 1, 'agent'),
        );
        break;
      case 'token': {
        const s = this.current(e.step);
        if (s) {
          s.streamed += e.delta;
          s.output = s.streamed;
        }
        break;
      }
      case 'model-output': {
        const s = this.current(e.step);
        if (!s) break;
        s.phase = 'executing';
        s.output = e.outputs[0] ?? s.streamed;
        s.usage = e.usage ?? null;
        s.generationMs = e.latencyMs;
        break;
      }
      case 'candidate': {
        const s = this.current(e.step);
        if (s) {
          s.samples = e.total;
          s.candidates.push(e.candidate);
        }
        break;
      }
      case 'vote': {
        const s = this.current(e.step);
        if (s) {
          s.groups = e.groups;
          s.chosen = e.chosen;
          s.output = s.candidates.find((c) => c.index === e.chosen)?.output ?? s.output;
        }
        break;
      }
      case 'code': {
        const s = this.current(e.step);
        if (s) s.code = e.code;
        break;
      }
      case 'error': {
        const s = this.current(e.step);
        if (s) s.error = { kind: e.kind, message: e.message };
        break;
      }
      case 'observation': {
        const s = this.current(e.step);
        if (s) {
          s.observation = e.observation;
          s.execution = e.execution;
        }
        break;
      }
      case 'step-finished': {
        const i = this.steps.findIndex((s) => s.step === e.record.step);
        const live = fromRecord(e.record, this.steps[i]);
        if (i >= 0) this.steps[i] = live;
        else this.steps.push(live);
        break;
      }
      case 'fallback-started':
        this.fallbackRunning = true;
        break;
      case 'final-answer':
        this.answer = e.answer;
        this.answerSource = e.source;
        this.fallbackRunning = false;
        break;
      case 'run-finished':
        this.finish(e.record);
        break;
    }
  }

  private finish(record: RunRecord): void {
    this.record = record;
    this.status = record.status === 'running' ? 'error' : record.status;
    this.error = record.error ?? null;
    this.fallbackRunning = false;
    if (record.answer !== null) this.answer = record.answer;
    if (record.settings.mode === 'cot') {
      const s = this.steps[0];
      if (s) {
        s.phase = 'done';
        s.output = record.response ?? s.output;
        s.usage = record.usage;
        s.durationMs = record.durationMs;
        s.generationMs = record.modelCalls[0]?.latencyMs ?? null;
      }
      this.answerSource = 'cot';
    }
    this.stopTicker();
  }
}

function newStep(step: number, samples: number, mode: 'agent' | 'cot'): LiveStep {
  return {
    step,
    mode,
    phase: 'generating',
    streamed: '',
    output: '',
    samples,
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

function fromRecord(r: StepRecord, live: LiveStep | undefined): LiveStep {
  const execError = r.execution?.status === 'error' ? (r.execution.error?.message ?? null) : null;
  return {
    step: r.step,
    mode: 'agent',
    phase: 'done',
    streamed: live?.streamed ?? '',
    output: r.candidates[r.chosen]?.output ?? r.modelOutput,
    samples: r.candidates.length,
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
