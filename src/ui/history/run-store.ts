/**
 * Saved runs in IndexedDB: full records in one store, small summaries (for the history list and
 * its search) in another, written together. A run still 'running' when a page opens the store,
 * and not held by a live page (Web Locks), was cut off by a reload or a crash: it is kept, and
 * marked interrupted.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { createRunFile, parseRunFile, serializeRunFile } from '../../records/run-file.ts';
import type { AgentMode, RunRecord } from '../../agent/run-record.ts';
import { PlaygroundError } from '../../errors.ts';
import { RunRecorder, RUN_LOCK_PREFIX } from './run-recorder.ts';
import { storageError } from './storage-error.ts';

export const RUN_DB_NAME = 'small-agent-playground-runs';
const DB_VERSION = 1;

export const INTERRUPTED_MESSAGE =
  'Interrupted: the page was closed, reloaded or crashed while this run was going; the steps up to then are kept.';

export interface RunSummary {
  id: string;
  question: string;
  answer: string | null;
  model: string;
  mode: AgentMode;
  status: RunRecord['status'];
  /** The page went away mid-run; the record holds the steps up to then. */
  interrupted: boolean;
  startedAt: number;
  durationMs: number;
  steps: number;
  /** Questions asked in it: 1, or more for a conversation with follow-ups (absent in old saves). */
  questions?: number;
  savedAt: number;
}

interface StoredSummary extends RunSummary {
  /** Lower-cased question, answer and model, for search. */
  text: string;
}

interface RunDB extends DBSchema {
  runs: { key: string; value: RunRecord };
  summaries: { key: string; value: StoredSummary; indexes: { startedAt: number } };
}

export interface ListOptions {
  /** Words that must all appear in the question, the answer or the model name. */
  query?: string;
  limit?: number;
}

export interface ImportResult {
  imported: string[];
  /** Ids that were already saved and got replaced by the file's version. */
  replaced: string[];
}

function summarize(run: RunRecord, interrupted: boolean): StoredSummary {
  return {
    id: run.id,
    question: run.question,
    answer: run.answer,
    model: run.settings.model,
    mode: run.settings.mode,
    status: run.status,
    interrupted,
    startedAt: run.startedAt,
    durationMs: run.durationMs,
    steps: run.steps.length,
    questions: run.turns?.length ?? 1,
    savedAt: Date.now(),
    // A conversation is found by any of its questions.
    text: `${(run.turns ?? [run]).map((t) => t.question).join('\n')}\n${run.answer ?? ''}\n${run.settings.model}`.toLowerCase(),
  };
}

function publicSummary(s: StoredSummary): RunSummary {
  const { text: _text, ...summary } = s;
  return summary;
}

async function heldRunLocks(): Promise<Set<string>> {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  if (!locks) return new Set();
  const state = await locks.query();
  return new Set(
    (state.held ?? [])
      .map((l) => l.name ?? '')
      .filter((n) => n.startsWith(RUN_LOCK_PREFIX))
      .map((n) => n.slice(RUN_LOCK_PREFIX.length)),
  );
}

export interface RunStoreOptions {
  /** Default RUN_DB_NAME (tests use their own). */
  name?: string;
}

export class RunStore {
  private constructor(private readonly db: IDBPDatabase<RunDB>) {}

  /** Opens the store and marks runs cut off by an earlier page as interrupted. */
  static async open(options: RunStoreOptions = {}): Promise<RunStore> {
    let db: IDBPDatabase<RunDB>;
    try {
      db = await openDB<RunDB>(options.name ?? RUN_DB_NAME, DB_VERSION, {
        upgrade(database) {
          database.createObjectStore('runs', { keyPath: 'id' });
          const summaries = database.createObjectStore('summaries', { keyPath: 'id' });
          summaries.createIndex('startedAt', 'startedAt');
        },
      });
    } catch (err) {
      throw storageError(err, 'open the saved runs');
    }
    const store = new RunStore(db);
    await store.markInterrupted();
    return store;
  }

  private async markInterrupted(): Promise<void> {
    const live = await heldRunLocks();
    try {
      const tx = this.db.transaction(['runs', 'summaries'], 'readwrite');
      const summaries = await tx.objectStore('summaries').getAll();
      for (const s of summaries) {
        if (s.status !== 'running' || live.has(s.id)) continue;
        const run = await tx.objectStore('runs').get(s.id);
        if (!run) continue;
        const marked: RunRecord = {
          ...run,
          status: 'aborted',
          error: { code: 'aborted', message: INTERRUPTED_MESSAGE },
        };
        await tx.objectStore('runs').put(marked);
        await tx.objectStore('summaries').put(summarize(marked, true));
      }
      await tx.done;
    } catch (err) {
      throw storageError(err, 'check the saved runs');
    }
  }

  /** Saves (or replaces) a run as it is now. */
  async save(run: RunRecord): Promise<void> {
    try {
      const tx = this.db.transaction(['runs', 'summaries'], 'readwrite');
      const previous = await tx.objectStore('summaries').get(run.id);
      // Once marked interrupted, a run keeps the mark (an import of it does not clear it).
      const interrupted = previous?.interrupted === true && run.status === 'aborted';
      await Promise.all([
        tx.objectStore('runs').put(run),
        tx.objectStore('summaries').put(summarize(run, interrupted)),
        tx.done,
      ]);
    } catch (err) {
      throw storageError(err, 'save the run');
    }
  }

  /**
   * Saves a run while it goes: call `update()` after each step, `finish()` at the end. Storage
   * errors never throw into the run: they go to `onError` and the next update retries.
   */
  track(run: RunRecord, onError?: (e: PlaygroundError) => void): RunRecorder {
    return new RunRecorder(run, (r) => this.save(r), onError);
  }

  /** Newest first; with a query, only runs whose question, answer or model has every word. */
  async list(options: ListOptions = {}): Promise<RunSummary[]> {
    const words = (options.query ?? '').toLowerCase().split(/\s+/).filter(Boolean);
    const limit = options.limit ?? Infinity;
    const out: RunSummary[] = [];
    try {
      const tx = this.db.transaction('summaries');
      let cursor = await tx.store.index('startedAt').openCursor(null, 'prev');
      while (cursor && out.length < limit) {
        const s = cursor.value;
        if (words.every((w) => s.text.includes(w))) out.push(publicSummary(s));
        cursor = await cursor.continue();
      }
      await tx.done;
    } catch (err) {
      throw storageError(err, 'read the saved runs');
    }
    return out;
  }

  async get(id: string): Promise<RunRecord | undefined> {
    try {
      return await this.db.get('runs', id);
    } catch (err) {
      throw storageError(err, 'read the run');
    }
  }

  async summary(id: string): Promise<RunSummary | undefined> {
    try {
      const s = await this.db.get('summaries', id);
      return s && publicSummary(s);
    } catch (err) {
      throw storageError(err, 'read the run');
    }
  }

  async delete(id: string): Promise<void> {
    await this.deleteMany([id]);
  }

  /** All or nothing. */
  async deleteMany(ids: readonly string[]): Promise<void> {
    try {
      const tx = this.db.transaction(['runs', 'summaries'], 'readwrite');
      await Promise.all([
        ...ids.flatMap((id) => [
          tx.objectStore('runs').delete(id),
          tx.objectStore('summaries').delete(id),
        ]),
        tx.done,
      ]);
    } catch (err) {
      throw storageError(err, 'delete runs');
    }
  }

  /** The runs file (canonical bytes) of the given runs, or of every run. */
  async exportRuns(ids?: readonly string[], exportedAt: Date = new Date()): Promise<string> {
    let runs: RunRecord[];
    try {
      if (ids) {
        const found = await Promise.all(ids.map((id) => this.db.get('runs', id)));
        const missing = ids.filter((_, i) => !found[i]);
        if (missing.length)
          throw new PlaygroundError('not_found', `No saved run with id ${missing.join(', ')}.`);
        runs = found.filter((r): r is RunRecord => r !== undefined);
      } else {
        runs = await this.db.getAll('runs');
      }
    } catch (err) {
      throw storageError(err, 'read the runs to export');
    }
    return serializeRunFile(createRunFile(runs, exportedAt));
  }

  /**
   * Imports a runs file. The file is checked whole before anything is written, and written in one
   * transaction: a bad file or a full disk changes nothing.
   */
  async importRuns(text: string): Promise<ImportResult> {
    const file = parseRunFile(text);
    const result: ImportResult = { imported: [], replaced: [] };
    try {
      const tx = this.db.transaction(['runs', 'summaries'], 'readwrite');
      for (const run of file.runs) {
        const previous = await tx.objectStore('summaries').get(run.id);
        if (previous) result.replaced.push(run.id);
        result.imported.push(run.id);
        await tx.objectStore('runs').put(run);
        // The record carries the mark's message, so an exported interrupted run stays one.
        const interrupted = run.status === 'aborted' && run.error?.message === INTERRUPTED_MESSAGE;
        await tx.objectStore('summaries').put(summarize(run, interrupted));
      }
      await tx.done;
    } catch (err) {
      throw storageError(err, 'import the runs');
    }
    return result;
  }

  close(): void {
    this.db.close();
  }
}
