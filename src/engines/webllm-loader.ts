/**
 * Main-thread side of the WebLLM worker: starts src/workers/webllm.worker.ts, loads a model with
 * progress and cancel, and hands back a ChatEngine. web-llm itself is imported dynamically so the
 * first page load never pays for its 6.8 MB.
 */
import type { InitProgressReport, WebWorkerMLCEngine } from '@mlc-ai/web-llm';
import type { ChatEngine } from '../agent/ports.ts';
import type { ModelEntry } from './model-registry.ts';
import { toWebLLMRecord } from './model-registry.ts';
import { createWebLLMEngine, toPlaygroundError } from './webllm-engine.ts';
import { PlaygroundError } from '../errors.ts';

export interface LoadProgress {
  phase: 'fetch' | 'cache' | 'shaders' | 'other';
  /** 0..1 within the phase web-llm reports. */
  fraction: number;
  /** MB done so far (fetch and cache phases). */
  doneMB: number | null;
  /** Estimated total MB, from done / fraction. */
  totalMB: number | null;
  elapsedS: number;
  /** Estimated seconds left in this phase; null until there is enough to go on. */
  etaS: number | null;
  /** Download speed so far in MB/s (fetch phase); null until measurable. */
  speedMBps: number | null;
  text: string;
}

/** Turns web-llm's progress report (a fraction and a sentence) into numbers a bar can show. */
export function parseProgress(r: InitProgressReport): LoadProgress {
  const fraction = Math.max(0, Math.min(1, Number.isFinite(r.progress) ? r.progress : 0));
  const mb = /(\d+)MB (?:fetched|loaded)/.exec(r.text);
  const doneMB = mb?.[1] ? Number(mb[1]) : null;
  const phase = r.text.startsWith('Fetching param cache')
    ? 'fetch'
    : r.text.startsWith('Loading model from cache')
      ? 'cache'
      : r.text.startsWith('Loading GPU shader')
        ? 'shaders'
        : 'other';
  const elapsedS = r.timeElapsed;
  const etaS =
    fraction > 0.01 && fraction < 1 && elapsedS > 0 ? (elapsedS * (1 - fraction)) / fraction : null;
  const totalMB = doneMB !== null && fraction > 0.01 ? Math.round(doneMB / fraction) : null;
  const speedMBps = phase === 'fetch' && doneMB !== null && elapsedS > 0 ? doneMB / elapsedS : null;
  return { phase, fraction, doneMB, totalMB, elapsedS, etaS, speedMBps, text: r.text };
}

export interface LoadedModel {
  entry: ModelEntry;
  engine: ChatEngine;
  /** Frees the GPU memory and stops the worker. */
  unload(): Promise<void>;
}

export interface LoadOptions {
  onProgress?: (p: LoadProgress) => void;
  /** Cancels the download/load: the worker is terminated. */
  signal?: AbortSignal;
}

export async function loadWebLLMModel(
  entry: ModelEntry,
  options: LoadOptions = {},
): Promise<LoadedModel> {
  const { signal, onProgress } = options;
  if (signal?.aborted) throw new PlaygroundError('aborted', 'Loading was cancelled.');
  const webllm = await import('@mlc-ai/web-llm');
  // Cancelled while web-llm was still downloading: no worker to stop yet.
  if (signal?.aborted) throw new PlaygroundError('aborted', 'Loading was cancelled.');
  const worker = new Worker(new URL('../workers/webllm.worker.ts', import.meta.url), {
    type: 'module',
    name: 'webllm',
  });
  const cancelled = new Promise<never>((_, reject) => {
    signal?.addEventListener(
      'abort',
      () => {
        // web-llm has no cancel for reload; ending the worker stops the download at once.
        worker.terminate();
        reject(new PlaygroundError('aborted', 'Loading was cancelled.'));
      },
      { once: true },
    );
  });
  const crashed = new Promise<never>((_, reject) => {
    worker.addEventListener('error', (e) => {
      reject(new PlaygroundError('model_load_failed', `The model worker failed: ${e.message}`));
    });
  });
  // Either may settle after the race is over; that must not surface as an unhandled rejection.
  cancelled.catch(() => undefined);
  crashed.catch(() => undefined);
  let mlc: WebWorkerMLCEngine;
  try {
    mlc = await Promise.race([
      webllm.CreateWebWorkerMLCEngine(worker, entry.id, {
        appConfig: { model_list: [toWebLLMRecord(entry, location.origin)], cacheBackend: 'cache' },
        initProgressCallback: (r) => onProgress?.(parseProgress(r)),
        logLevel: 'WARN',
      }),
      cancelled,
      crashed,
    ]);
  } catch (err) {
    worker.terminate();
    throw toPlaygroundError(err, 'model_load_failed');
  }
  const loaded = mlc;
  return {
    entry,
    engine: createWebLLMEngine(loaded, entry.id),
    async unload() {
      try {
        await loaded.unload();
      } finally {
        worker.terminate();
      }
    },
  };
}
