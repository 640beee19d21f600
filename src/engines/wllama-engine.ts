/**
 * Browser CPU engine: a GGUF model run by llama.cpp compiled to WebAssembly (@wllama/wllama),
 * for browsers without WebGPU. wllama runs llama.cpp in its own worker (plus one worker per
 * thread when the page is cross-origin isolated), so generation never blocks the page; this
 * module only downloads or opens the file, checks it, and relays requests. The wasm files come
 * from the app's own origin (emitted by Vite, precached by the service worker): nothing is fetched
 * from a CDN, so the engine works offline once the model is stored.
 */
import type { Wllama } from '@wllama/wllama';
import wasmUrl from '@wllama/wllama/esm/wasm/wllama.wasm?url';
import type { ChatEngine } from '../agent/ports.ts';
import {
  downloadGguf,
  memoryGgufStore,
  opfsGgufStore,
  type DownloadProgress,
} from './gguf-download.ts';
import { readGgufHeader, trainedContextLength } from './gguf-header.ts';
import {
  createRawCompletionEngine,
  oneAtATime,
  type RawCompletionBackend,
  type RawCompletionResult,
} from './raw-completion-engine.ts';
import { PlaygroundError, type ErrorCode } from '../errors.ts';

/** Enough for the agent's prompt and a few steps; capped by the model's own context. */
export const DEFAULT_BROWSER_CONTEXT = 8192;
export const WLLAMA_KIND = 'wllama';

export type GgufSource =
  | {
      kind: 'url';
      url: string;
      /** Shown to the user, e.g. the registry label. */
      name: string;
      /** Storage key (the registry id). */
      key: string;
      expectedBytes?: number;
    }
  | { kind: 'file'; file: File };

export interface CpuLoadProgress {
  phase: 'download' | 'load';
  fraction: number;
  doneMB: number | null;
  totalMB: number | null;
  elapsedS: number;
  etaS: number | null;
  text: string;
}

export interface WllamaLoadOptions {
  signal?: AbortSignal;
  onProgress?: (p: CpuLoadProgress) => void;
  contextSize?: number;
  /** CPU threads; default: half the logical cores (wllama's choice), at least 2 for isolation. */
  threads?: number;
}

export interface LoadedCpuModel {
  label: string;
  engine: ChatEngine;
  /** Whether llama.cpp got more than one thread (needs cross-origin isolation). */
  multiThreaded: boolean;
  threads: number;
  contextSize: number;
  unload(): Promise<void>;
}

const MB = 1024 * 1024;

export async function loadWllamaModel(
  source: GgufSource,
  options: WllamaLoadOptions = {},
): Promise<LoadedCpuModel> {
  const { signal, onProgress } = options;
  const cancelled = () => new PlaygroundError('aborted', 'Loading was cancelled.');
  if (signal?.aborted) throw cancelled();
  const name = source.kind === 'url' ? source.name : source.file.name;
  const blob =
    source.kind === 'file'
      ? source.file
      : await downloadGguf(source.url, {
          name,
          ...(source.expectedBytes !== undefined && { expectedBytes: source.expectedBytes }),
          store: (await opfsGgufStore(source.key)) ?? memoryGgufStore(),
          ...(signal && { signal }),
          onProgress: (p) => onProgress?.(downloadProgress(p)),
        });
  const header = await readGgufHeader(name, blob.size, async (offset, length) => {
    return new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer());
  });
  const contextSize = Math.min(
    options.contextSize ?? DEFAULT_BROWSER_CONTEXT,
    trainedContextLength(header) ?? DEFAULT_BROWSER_CONTEXT,
  );
  if (signal?.aborted) throw cancelled();
  const started = performance.now();
  onProgress?.({
    phase: 'load',
    fraction: 0,
    doneMB: null,
    totalMB: Math.round(blob.size / MB),
    elapsedS: 0,
    etaS: null,
    text: `Loading ${name} into memory…`,
  });
  const [{ Wllama }, { wllamaCompat }] = await Promise.all([
    import('@wllama/wllama'),
    import('./wllama-compat.ts'),
  ]);
  const wllama = new Wllama(
    { default: wasmUrl },
    { suppressNativeLog: true, logger: quietLogger, allowOffline: true },
  );
  // Browsers without JSPI or 64-bit memory (Safari, Firefox) get the compat build, also local.
  wllama.setCompat(wllamaCompat());
  const onAbort = () => void wllama.exit().catch(() => undefined);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await wllama.loadModel([blob], {
      n_ctx: contextSize,
      n_gpu_layers: 0,
      n_threads: options.threads ?? defaultThreads(),
      warmup: false,
    });
  } catch (err) {
    await wllama.exit().catch(() => undefined);
    if (signal?.aborted) throw cancelled();
    throw loadError(name, err);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  onProgress?.({
    phase: 'load',
    fraction: 1,
    doneMB: Math.round(blob.size / MB),
    totalMB: Math.round(blob.size / MB),
    elapsedS: (performance.now() - started) / 1000,
    etaS: 0,
    text: `${name} is ready.`,
  });
  const engine = createRawCompletionEngine(WLLAMA_KIND, name, oneAtATime(wllamaBackend(wllama)));
  return {
    label: name,
    engine,
    multiThreaded: wllama.isMultithread(),
    threads: wllama.getNumThreads(),
    contextSize,
    unload: () => wllama.exit(),
  };
}

function defaultThreads(): number {
  const cores = typeof navigator === 'undefined' ? 1 : navigator.hardwareConcurrency || 1;
  // Half the logical cores (hyper-threads share units), but two where isolation allows threads.
  return Math.max(2, Math.min(8, Math.floor(cores / 2)));
}

function downloadProgress(p: DownloadProgress): CpuLoadProgress {
  const doneMB = Math.round(p.doneBytes / MB);
  const totalMB = p.totalBytes === null ? null : Math.round(p.totalBytes / MB);
  return {
    phase: 'download',
    fraction: p.fraction,
    doneMB,
    totalMB,
    elapsedS: p.elapsedS,
    etaS: p.etaS,
    text: `Downloading ${doneMB}${totalMB === null ? '' : ` of ${totalMB}`} MB`,
  };
}

function loadError(name: string, err: unknown): PlaygroundError {
  if (err instanceof PlaygroundError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const code: ErrorCode = /memory|OOM|allocat/i.test(message)
    ? 'out_of_memory'
    : 'model_load_failed';
  return new PlaygroundError(
    code,
    code === 'out_of_memory'
      ? `${name} does not fit in the memory this browser tab may use. Pick a smaller model.`
      : `${name} could not be loaded (${message}). Check that it is a GGUF model llama.cpp supports.`,
    { cause: err },
  );
}

function wllamaBackend(wllama: Wllama): RawCompletionBackend {
  return {
    async complete(p): Promise<RawCompletionResult> {
      let text = '';
      let finish: RawCompletionResult['finishReason'] = 'other';
      let promptTokens = 0;
      let completionTokens = 0;
      let prefillMs: number | undefined;
      let decodeMs: number | undefined;
      try {
        const stream = await wllama.createCompletion({
          prompt: p.prompt,
          stream: true,
          temperature: p.temperature,
          top_p: p.topP,
          seed: p.seed,
          ...(p.maxTokens !== undefined && { max_tokens: p.maxTokens }),
          ...(p.stop.length && { stop: p.stop }),
          ...(p.signal && { abortSignal: p.signal }),
        });
        for await (const chunk of stream) {
          const choice = chunk.choices[0];
          if (choice?.text) {
            text += choice.text;
            p.onText?.(choice.text);
          }
          if (choice?.finish_reason) {
            finish = choice.finish_reason === 'length' ? 'length' : 'stop';
          }
          if (chunk.usage) {
            promptTokens = chunk.usage.prompt_tokens;
            completionTokens = chunk.usage.completion_tokens;
          }
          if (chunk.timings) {
            promptTokens = chunk.timings.prompt_n + chunk.timings.cache_n;
            completionTokens = chunk.timings.predicted_n;
            prefillMs = chunk.timings.prompt_ms;
            decodeMs = chunk.timings.predicted_ms;
          }
        }
      } catch (err) {
        if (p.signal?.aborted) {
          return { text, finishReason: 'abort', promptTokens, completionTokens };
        }
        throw new PlaygroundError(
          'internal',
          `wllama: ${err instanceof Error ? err.message : String(err)}`,
          { cause: err },
        );
      }
      return {
        text,
        finishReason: finish,
        promptTokens,
        completionTokens,
        ...(prefillMs !== undefined && decodeMs !== undefined && { prefillMs, decodeMs }),
      };
    },
  };
}

const noop = () => undefined;
const quietLogger = {
  debug: noop,
  log: noop,
  warn: (...args: unknown[]) => console.warn('[wllama]', ...args),
  error: (...args: unknown[]) => console.error('[wllama]', ...args),
};
