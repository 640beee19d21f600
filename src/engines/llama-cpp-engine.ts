/**
 * Node only: a GGUF model run in-process by llama.cpp through node-llama-cpp, so the CLI needs no
 * model server. Uses the CPU build that ships prebuilt inside node-llama-cpp's npm packages and
 * never builds or downloads anything at run time.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { totalmem } from 'node:os';
import type { Llama, LlamaCompletion, LlamaContext, LlamaModel } from 'node-llama-cpp';
import type { ChatEngine } from '../agent/ports.ts';
import {
  estimateMemoryBytes,
  readGgufHeaderSync,
  trainedContextLength,
  type GgufHeader,
} from './gguf-header.ts';
import {
  createRawCompletionEngine,
  oneAtATime,
  type RawCompletionBackend,
  type RawCompletionParams,
  type RawCompletionResult,
} from './raw-completion-engine.ts';
import { PlaygroundError } from '../errors.ts';

/** Enough for the agent's prompt, five steps and their observations; capped by the model's own. */
export const DEFAULT_GGUF_CONTEXT = 8192;

export interface LlamaCppEngine extends ChatEngine {
  readonly contextSize: number;
  /** Frees the model and its context. */
  dispose(): Promise<void>;
}

export interface LlamaCppOptions {
  contextSize?: number;
  /** CPU threads; default: all cores. */
  threads?: number;
}

const GB = 1024 ** 3;

/**
 * The context the loader opens: the one asked for, capped by the model's trained length (or by
 * the default when the file does not state one). The memory check estimates this same size.
 */
export function loadedContextSize(header: GgufHeader, asked?: number): number {
  return Math.min(
    asked ?? DEFAULT_GGUF_CONTEXT,
    trainedContextLength(header) ?? DEFAULT_GGUF_CONTEXT,
  );
}

/**
 * Checks the file before anything loads it: it exists, is a whole GGUF model, and fits in this
 * machine's memory with the context asked for. Throws an error naming the file.
 */
export function checkGgufFile(path: string, contextSize?: number): GgufHeader {
  const name = basename(path);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new PlaygroundError(
      code === 'ENOENT' ? 'not_found' : 'bad_input',
      code === 'ENOENT'
        ? `No GGUF model at ${path}: check the path.`
        : `Cannot read the GGUF model ${path} (${code ?? String(err)}).`,
      { cause: err },
    );
  }
  try {
    const size = fstatSync(fd).size;
    const header = readGgufHeaderSync(name, size, (offset, length) => {
      const buf = Buffer.alloc(Math.max(0, Math.min(length, size - offset)));
      const got = readSync(fd, buf, 0, buf.length, offset);
      return buf.subarray(0, got);
    });
    const ctx = loadedContextSize(header, contextSize);
    const need = estimateMemoryBytes(header, ctx);
    if (need > totalmem()) {
      throw new PlaygroundError(
        'out_of_memory',
        `${name} needs about ${(need / GB).toFixed(1)} GB of memory (weights and a ${ctx}-token context) but this machine has ${(totalmem() / GB).toFixed(1)} GB. Use a smaller or more strongly quantised GGUF model.`,
      );
    }
    return header;
  } finally {
    closeSync(fd);
  }
}

const LLAMA_CPP_KIND = 'llama.cpp';

/**
 * For the CLI: checks the file at once (so a bad path fails before any work starts) and loads the
 * model on the first request. The model then lives as long as the process.
 */
export function createLlamaCppEngine(path: string, options: LlamaCppOptions = {}): ChatEngine {
  const header = checkGgufFile(path, options.contextSize);
  let loading: Promise<LlamaCppEngine> | undefined;
  return {
    kind: LLAMA_CPP_KIND,
    model: basename(path),
    async chat(request) {
      loading ??= loadLlamaCppEngine(path, options, header);
      loading.catch(() => (loading = undefined));
      return (await loading).chat(request);
    },
  };
}

let llamaRuntime: Promise<Llama> | undefined;

function runtime(): Promise<Llama> {
  llamaRuntime ??= import('node-llama-cpp').then(({ getLlama, LlamaLogLevel }) =>
    getLlama({
      gpu: false,
      build: 'never',
      usePrebuiltBinaries: true,
      skipDownload: true,
      progressLogs: false,
      logLevel: LlamaLogLevel.error,
    }),
  );
  return llamaRuntime;
}

/**
 * Loads a GGUF model and returns a ChatEngine over it. `header`: the file's checked header, when
 * the caller has already read it (createLlamaCppEngine); otherwise the file is checked here.
 */
export async function loadLlamaCppEngine(
  path: string,
  options: LlamaCppOptions = {},
  header: GgufHeader = checkGgufFile(path, options.contextSize),
): Promise<LlamaCppEngine> {
  const contextSize = loadedContextSize(header, options.contextSize);
  const name = basename(path);
  const { LlamaCompletion: Completion } = await import('node-llama-cpp');
  const llama = await runtime();
  let model: LlamaModel;
  let context: LlamaContext;
  try {
    model = await llama.loadModel({ modelPath: resolve(path), gpuLayers: 0 });
  } catch (err) {
    throw new PlaygroundError(
      'model_load_failed',
      `llama.cpp could not load ${name}: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
  try {
    context = await model.createContext({
      contextSize,
      ...(options.threads !== undefined && { threads: options.threads }),
    });
  } catch (err) {
    await model.dispose();
    throw new PlaygroundError(
      'out_of_memory',
      `No memory for a ${contextSize}-token context of ${name}: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
  const completion = new Completion({ contextSequence: context.getSequence() });
  const backend = oneAtATime(llamaCppBackend(model, completion, contextSize));
  const engine = createRawCompletionEngine(LLAMA_CPP_KIND, name, backend);
  return {
    ...engine,
    contextSize,
    async dispose() {
      await context.dispose();
      await model.dispose();
    },
  };
}

function llamaCppBackend(
  model: LlamaModel,
  completion: LlamaCompletion,
  contextSize: number,
): RawCompletionBackend {
  return {
    async complete(p: RawCompletionParams): Promise<RawCompletionResult> {
      const tokens = model.tokenize(p.prompt, true);
      const room = contextSize - tokens.length;
      if (room < 1) {
        throw new PlaygroundError(
          'bad_input',
          `The conversation (${tokens.length} tokens) does not fit the model's ${contextSize}-token context.`,
        );
      }
      const started = performance.now();
      let firstTokenAt: number | undefined;
      let generated = 0;
      const { response, metadata } = await completion.generateCompletionWithMeta(tokens, {
        temperature: p.temperature,
        topP: p.topP,
        seed: p.seed,
        maxTokens: Math.min(p.maxTokens ?? room, room),
        ...(p.stop.length && { customStopTriggers: p.stop }),
        ...(p.signal && { signal: p.signal, stopOnAbortSignal: true }),
        disableContextShift: true,
        onToken: (t) => {
          firstTokenAt ??= performance.now();
          generated += t.length;
        },
        ...(p.onText && { onTextChunk: p.onText }),
      });
      const ended = performance.now();
      const reason = metadata.stopReason;
      return {
        text: response,
        finishReason:
          reason === 'maxTokens'
            ? 'length'
            : reason === 'abort'
              ? 'abort'
              : reason === 'eogToken' ||
                  reason === 'customStopTrigger' ||
                  reason === 'stopGenerationTrigger'
                ? 'stop'
                : 'other',
        promptTokens: tokens.length,
        completionTokens: generated,
        ...(firstTokenAt !== undefined && {
          prefillMs: firstTokenAt - started,
          decodeMs: ended - firstTokenAt,
        }),
      };
    },
  };
}
