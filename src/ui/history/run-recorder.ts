/**
 * Saves one run while it goes. Writes are serialized and coalesced (only the latest state is
 * written after a slow write), a Web Lock marks the run as live so another page does not call it
 * interrupted, and a failed write is reported, never thrown into the run: the in-memory record is
 * the app's, and the next update or `finish()` tries again.
 */
import type { RunRecord } from '../../agent/run-record.ts';
import { PlaygroundError } from '../../errors.ts';

export const RUN_LOCK_PREFIX = 'small-agent-playground-run:';

export class RunRecorder {
  private pending = false;
  private writing: Promise<void> | null = null;
  private releaseLock: (() => void) | null = null;
  private latest: RunRecord;
  /** The last storage error, cleared by the next successful write. */
  lastError: PlaygroundError | null = null;

  constructor(
    run: RunRecord,
    private readonly write: (run: RunRecord) => Promise<void>,
    private readonly onError?: (e: PlaygroundError) => void,
  ) {
    this.latest = run;
    const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
    if (locks) {
      const held = new Promise<void>((release) => (this.releaseLock = release));
      void locks.request(`${RUN_LOCK_PREFIX}${run.id}`, () => held).catch(() => undefined);
    }
    this.update(run);
  }

  /** Records the run's current state (the same object mutated, or a new one). */
  update(run: RunRecord = this.latest): void {
    this.latest = run;
    this.pending = true;
    this.writing ??= this.drain();
  }

  private async drain(): Promise<void> {
    while (this.pending) {
      this.pending = false;
      try {
        await this.write(this.latest);
        this.lastError = null;
      } catch (err) {
        this.lastError = PlaygroundError.from(err, 'storage_failed');
        this.onError?.(this.lastError);
      }
    }
    this.writing = null;
  }

  /** Resolves when everything recorded so far has been written (or has failed). */
  async flush(): Promise<PlaygroundError | null> {
    while (this.writing) await this.writing;
    return this.lastError;
  }

  /** Waits for the final state to be written; resolves with the error if it could not be. */
  async finish(run: RunRecord = this.latest): Promise<PlaygroundError | null> {
    this.update(run);
    await this.flush();
    this.releaseLock?.();
    this.releaseLock = null;
    return this.lastError;
  }
}
