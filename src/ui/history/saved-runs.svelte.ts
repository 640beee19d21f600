/**
 * The app's one RunStore (opened on first use, shared by the run sessions and the History view),
 * the last storage problem (shown as a non-blocking notice), and the saving of a run as it goes.
 */
import type { AgentEvent } from '../../agent/events.ts';
import { createRunFile, serializeRunFile } from '../../records/run-file.ts';
import { startFollowUp, summarizeTurns } from '../../agent/follow-up.ts';
import { newRunRecord } from '../../agent/run-record-builder.ts';
import type { RunRecord, RunSettings, TaskTurn } from '../../agent/run-record.ts';
import { addUsage } from '../../agent/token-usage.ts';
import type { ChatEngine } from '../../agent/ports.ts';
import { PlaygroundError } from '../../errors.ts';
import type { RunConfig } from '../lib/run-config.ts';
import { downloadRunFile } from './download.ts';
import type { RunRecorder } from './run-recorder.ts';
import type { RunStore } from './run-store.ts';

let opening: Promise<RunStore> | null = null;

/** Opens the store once; a failed open is retried on the next call (e.g. after freeing space). */
export function runStore(): Promise<RunStore> {
  opening ??= import('./run-store.ts')
    .then(({ RunStore }) => RunStore.open())
    .catch((err: unknown) => {
      opening = null;
      throw PlaygroundError.from(err, 'storage_failed');
    });
  return opening;
}

class SavedRuns {
  /** The last failure to save a run; cleared by the next successful save or by the user. */
  problem = $state.raw<PlaygroundError | null>(null);
  /** Bumped whenever a run is saved, so an open History list can refresh. */
  changed = $state(0);
  /** Finished runs whose last write failed: kept in memory to save again or download. */
  unsaved = $state.raw<RunRecord[]>([]);

  report(e: PlaygroundError): void {
    this.problem = e;
  }

  dismiss(): void {
    this.problem = null;
  }

  keep(run: RunRecord): void {
    this.unsaved = [...this.unsaved.filter((r) => r.id !== run.id), run];
  }

  saved(): void {
    this.changed += 1;
  }

  /** Writes the unsaved runs again (e.g. after old runs were deleted to free space). */
  async retry(): Promise<void> {
    try {
      const store = await runStore();
      for (const run of this.unsaved) {
        await store.save(run);
        this.unsaved = this.unsaved.filter((r) => r.id !== run.id);
      }
      this.problem = null;
      this.saved();
    } catch (err) {
      this.problem = PlaygroundError.from(err, 'storage_failed');
    }
  }

  /** The unsaved runs as a runs file, which needs no storage at all. */
  download(): void {
    downloadRunFile(serializeRunFile(createRunFile(this.unsaved, new Date())));
  }
}

export const savedRuns = new SavedRuns();

function draftSettings(config: RunConfig): RunSettings {
  // What the agent will record (run-agent.ts / run-cot.ts); its own record replaces this at the end.
  const cot = config.mode === 'cot';
  return {
    mode: config.mode,
    engine: config.engine,
    model: config.engine === 'openai' ? config.modelName : config.model,
    promptProfile: config.profile,
    maxSteps: cot ? 1 : config.maxSteps,
    samples: cot ? 1 : config.samples,
    temperature: cot ? 0 : config.temperature,
    topP: cot ? 1 : config.topP,
    maxTokens: config.maxTokens,
    pythonTimeoutMs: cot ? 0 : config.pythonTimeoutS * 1000,
    ...(config.seed !== null && { seed: config.seed }),
  };
}

/**
 * One run being saved. The agent keeps its record to itself until the end, so a draft is built
 * from the question, the settings and the agent's events (finished steps, the answer): that is
 * what survives a reload or a crash. The id is the draft's from the start, so every write goes to
 * the same saved run, including a run that fails before the agent starts (e.g. no model).
 */
export class SavingRun {
  readonly id: string;
  private readonly draft: RunRecord;
  /** The follow-up question being saved into an earlier run, if this is one. */
  private readonly turn: TaskTurn | null = null;
  private recorder: RunRecorder | null = null;
  private done = false;
  private failedOpen = false;

  /**
   * With `previous`, the question is a follow-up saved into that run (same id); it must be able
   * to take one (RunSession checks followUpProblem first).
   */
  constructor(question: string, config: RunConfig, previous: RunRecord | null = null) {
    this.id = previous?.id ?? crypto.randomUUID();
    if (previous) {
      const followUp = startFollowUp(previous, question, draftSettings(config));
      this.turn = followUp.turn;
      this.draft = followUp.record;
    } else {
      this.draft = newRunRecord(this.id, question, draftSettings(config));
    }
    runStore().then(
      (store) => {
        // A run can end before the store opens: then it is written once, finished.
        const recorder = store.track(this.draft, (e) => savedRuns.report(e));
        this.recorder = recorder;
        if (this.done) void this.close(recorder);
      },
      (err: unknown) => {
        savedRuns.report(PlaygroundError.from(err, 'storage_failed'));
        this.failedOpen = true;
        if (this.done) savedRuns.keep(this.draft);
      },
    );
  }

  /** The engine's own name for itself, as the agent will record it. */
  engine(engine: ChatEngine): void {
    const named = { engine: engine.kind, model: engine.model };
    if (this.turn) this.turn.settings = { ...this.turn.settings, ...named };
    else this.draft.settings = { ...this.draft.settings, ...named };
    this.recorder?.update(this.draft);
  }

  event(e: AgentEvent): void {
    const d = this.draft;
    switch (e.type) {
      case 'step-finished':
        d.steps.push(e.record);
        if (e.record.usage) {
          d.usage = addUsage(d.usage, e.record.usage);
          if (this.turn) this.turn.usage = addUsage(this.turn.usage, e.record.usage);
        }
        break;
      case 'model-output':
        if (d.settings.mode === 'cot') d.response = e.outputs[0] ?? '';
        break;
      case 'final-answer':
        d.answer = e.answer;
        if (this.turn) this.turn.answer = e.answer;
        break;
      default:
        // Tokens and the other in-step events change nothing that is saved.
        return;
    }
    if (this.turn) {
      this.turn.durationMs = Date.now() - this.turn.startedAt;
      summarizeTurns(d);
    } else d.durationMs = Date.now() - d.startedAt;
    this.recorder?.update(d);
  }

  /** The agent's final record, under this run's id. */
  finish(record: RunRecord): RunRecord {
    const final: RunRecord = { ...record, id: this.id };
    Object.assign(this.draft, final);
    this.end();
    return final;
  }

  /** The run failed or was stopped before the agent returned a record. */
  fail(error: PlaygroundError, aborted: boolean): void {
    const d = this.draft;
    d.status = aborted ? 'aborted' : 'error';
    d.error = error.toJSON();
    d.finishedAt = Date.now();
    if (this.turn) {
      this.turn.status = d.status;
      this.turn.error = d.error;
      this.turn.finishedAt = d.finishedAt;
      this.turn.durationMs = d.finishedAt - this.turn.startedAt;
      summarizeTurns(d);
    } else d.durationMs = d.finishedAt - d.startedAt;
    this.end();
  }

  private end(): void {
    this.done = true;
    if (this.recorder) void this.close(this.recorder);
    else if (this.failedOpen) savedRuns.keep(this.draft);
  }

  private async close(recorder: RunRecorder): Promise<void> {
    const error = await recorder.finish(this.draft);
    if (error) savedRuns.keep(this.draft);
    else savedRuns.saved();
  }
}
