/**
 * The benchmark view's run, kept outside the view (like the chat's) so leaving #/bench neither
 * stops it nor loses its results. Records and the summary update as each question finishes, so
 * a stopped run still has a table, a chart and exports.
 */
import type { AgentEvent } from '../../agent/events.ts';
import { PlaygroundError, type SerializedError } from '../../errors.ts';
import {
  summarize,
  type BenchQuestion,
  type EvalRecord,
  type GraderId,
  type EvalRunConfig,
  type RunSummary,
} from '../../eval/index.ts';
import type { EngineProvider } from '../run-session.svelte.ts';
import { registerRunner } from '../sessions.svelte.ts';
import type { RunConfig } from '../lib/run-config.ts';
import type { BenchSource } from './export.ts';

export type BenchStatus = 'idle' | 'preparing' | 'running' | 'finished' | 'stopped' | 'error';

export interface InFlight {
  question: BenchQuestion;
  startedAt: number;
  /** The agent step being generated or run (1-based); 0 before the first. */
  step: number;
}

export interface BenchStart {
  questions: BenchQuestion[];
  config: RunConfig;
  /** Shown in the chart legend and the report title. */
  label: string;
  concurrency: number;
  source: BenchSource;
  sampleLimit?: number;
  grader: GraderId;
}

export class BenchRun {
  status = $state<BenchStatus>('idle');
  /** Model loading, Python start-up: what happens before or between questions. */
  phase = $state('');
  total = $state(0);
  records = $state.raw<EvalRecord[]>([]);
  inFlight = $state.raw<InFlight[]>([]);
  error = $state.raw<SerializedError | null>(null);
  summary = $state.raw<RunSummary | null>(null);
  source = $state.raw<BenchSource | null>(null);
  /** Runs finished or stopped earlier in this session, oldest first, for the comparison chart. */
  earlier = $state.raw<RunSummary[]>([]);
  /** When the first question started (model loading excluded from the ETA). */
  questionsStartedAt = $state(0);
  startedAt = $state(0);
  now = $state(0);
  private controller: AbortController | null = null;
  private ticker: ReturnType<typeof setInterval> | null = null;
  private evalConfig: EvalRunConfig | null = null;
  /** Position of each question in the sample, so the table reads in file order. */
  private order: Record<string, number> = {};

  get busy(): boolean {
    return this.status === 'preparing' || this.status === 'running';
  }

  get done(): number {
    return this.records.length;
  }

  get correct(): number {
    return this.records.filter((r) => r.correct).length;
  }

  get elapsedMs(): number {
    return this.startedAt ? this.now - this.startedAt : 0;
  }

  /** Wall time per finished question so far, times what is left; null until one finished. */
  get etaMs(): number | null {
    if (!this.busy || !this.done || !this.questionsStartedAt) return null;
    const perQuestion = (this.now - this.questionsStartedAt) / this.done;
    return Math.max(0, perQuestion * (this.total - this.done));
  }

  async start(o: BenchStart, provide: EngineProvider): Promise<void> {
    if (this.busy) return;
    // The chart compares with up to seven earlier runs; more bars than that are unreadable.
    if (this.summary && this.records.length)
      this.earlier = [...this.earlier, this.summary].slice(-7);
    const controller = new AbortController();
    this.controller = controller;
    this.status = 'preparing';
    this.phase =
      o.config.engine === 'webllm' || o.config.engine === 'wllama'
        ? 'Loading the model…'
        : 'Connecting…';
    this.total = o.questions.length;
    this.order = Object.fromEntries(o.questions.map((q, i) => [q.id, i]));
    this.records = [];
    this.inFlight = [];
    this.error = null;
    this.summary = null;
    this.source = o.source;
    this.questionsStartedAt = 0;
    this.startedAt = Date.now();
    this.now = this.startedAt;
    this.ticker = setInterval(() => (this.now = Date.now()), 500);
    try {
      const engine = await provide(o.config, controller.signal);
      this.evalConfig = {
        version: 1,
        label: o.label,
        mode: o.config.mode,
        engine: engine.kind,
        model: engine.model,
        ...(o.config.engine === 'openai' ? { baseUrl: o.config.baseUrl.trim() } : {}),
        promptProfile: o.config.profile,
        samples: o.config.mode === 'agent' ? o.config.samples : 1,
        maxSteps: o.config.mode === 'agent' ? o.config.maxSteps : 1,
        ...(o.config.mode === 'agent'
          ? { temperature: o.config.temperature, topP: o.config.topP }
          : {}),
        benchmarks: [o.source.benchmark],
        ...(o.sampleLimit !== undefined ? { limit: o.sampleLimit } : {}),
        grader: o.grader,
        // eslint-disable-next-line svelte/prefer-svelte-reactivity -- formatted once, never mutated
        createdAt: new Date(this.startedAt).toISOString(),
      };
      this.phase = 'Loading the agent…';
      const runtime = await import('./bench-runtime.ts');
      if (controller.signal.aborted) throw new PlaygroundError('aborted', 'Stopped.');
      this.status = 'running';
      this.phase = '';
      const result = await runtime.runBenchmark({
        questions: o.questions,
        config: o.config,
        engine,
        concurrency: o.concurrency,
        grader: o.grader,
        signal: controller.signal,
        onPhase: (p) => (this.phase = p),
        onEvent: (e) => {
          if (e.type === 'question-started') {
            this.questionsStartedAt ||= Date.now();
            this.inFlight = [
              ...this.inFlight,
              { question: e.question, startedAt: Date.now(), step: 0 },
            ];
          } else if (e.type === 'question-finished') {
            this.inFlight = this.inFlight.filter((f) => f.question.id !== e.record.id);
            const at = (id: string): number => this.order[id] ?? Infinity;
            this.records = [...this.records, e.record].sort((a, b) => at(a.id) - at(b.id));
            this.refreshSummary(false);
          }
        },
        onAgentEvent: (q, e) => this.onAgentEvent(q, e),
      });
      this.status = result.aborted ? 'stopped' : 'finished';
      this.refreshSummary(!result.aborted);
    } catch (err) {
      const e = PlaygroundError.from(err);
      if (e.code === 'aborted' || controller.signal.aborted) {
        this.status = 'stopped';
      } else {
        this.error = e.toJSON();
        this.status = 'error';
      }
      this.refreshSummary(false);
    } finally {
      this.controller = null;
      this.inFlight = [];
      this.phase = '';
      if (this.ticker) clearInterval(this.ticker);
      this.ticker = null;
      this.now = Date.now();
    }
  }

  /** Questions in flight are dropped; finished ones stay in the table and the exports. */
  stop(): void {
    this.controller?.abort();
  }

  clearEarlier(): void {
    this.earlier = [];
  }

  private onAgentEvent(q: BenchQuestion, e: AgentEvent): void {
    if (e.type !== 'step-started') return;
    this.inFlight = this.inFlight.map((f) => (f.question.id === q.id ? { ...f, step: e.step } : f));
  }

  private refreshSummary(complete: boolean): void {
    if (!this.evalConfig) return;
    this.summary = summarize(this.evalConfig, this.records, {
      complete,
      wallTimeMs: Date.now() - this.startedAt,
    });
  }
}

export const benchRun = new BenchRun();
registerRunner(
  'bench',
  () => benchRun.busy,
  () => benchRun.stop(),
);

/** What the user chose in the view, kept while they visit another one (the file text too). */
export const benchDraft: {
  fileName: string;
  fileText: string | null;
  benchmark: string;
  kind: 'auto' | 'math' | 'factual';
  how: 'first' | 'random';
  size: number;
  seed: number;
  concurrency: number;
  grader: GraderId;
  config: RunConfig | null;
} = {
  fileName: '',
  fileText: null,
  benchmark: '',
  kind: 'auto',
  how: 'first',
  size: 20,
  seed: 1,
  concurrency: 2,
  grader: 'paper',
  config: null,
};
