/**
 * ChatEngine over WebLLM's engine interface (an MLCEngine or, in the app, a WebWorkerMLCEngine
 * whose model runs in src/workers/webllm.worker.ts). Only types come from web-llm here, so this
 * module costs nothing on the first load and runs in Node tests against a stand-in engine.
 */
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
  CompletionUsage,
} from '@mlc-ai/web-llm';
import type {
  ChatEngine,
  ChatRequest,
  ChatResponse,
  FinishReason,
  TokenUsage,
} from '../agent/ports.ts';
import { PlaygroundError, throwIfAborted, type ErrorCode } from '../errors.ts';

/** The part of web-llm's MLCEngineInterface this adapter uses. */
export interface WebLLMEngineLike {
  chat: {
    completions: {
      create(
        request: ChatCompletionRequest,
      ): Promise<ChatCompletion | AsyncIterable<ChatCompletionChunk>>;
    };
  };
  interruptGenerate(): void;
}

export function createWebLLMEngine(engine: WebLLMEngineLike, modelId: string): ChatEngine {
  return {
    kind: 'webllm',
    model: modelId,
    chat: (request) => chat(engine, modelId, request),
  };
}

async function chat(
  engine: WebLLMEngineLike,
  modelId: string,
  request: ChatRequest,
): Promise<ChatResponse> {
  throwIfAborted(request.signal);
  if (request.continueFinalMessage) {
    // web-llm 0.2.86 rejects a conversation that ends with an assistant message.
    throw new PlaygroundError(
      'engine_unsupported',
      'WebLLM cannot continue an assistant message (first-thought prefix); use an OpenAI-compatible server for teacher runs.',
    );
  }
  const n = request.n ?? 1;
  if (n > 1 && request.onSample) return samplesOneByOne(engine, modelId, request, n);
  // web-llm streams only single samples; n > 1 runs the samples one after another, unstreamed.
  const stream = n === 1 && request.onToken !== undefined;
  const body: ChatCompletionRequest = {
    messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
    model: modelId,
    n,
    ...(request.temperature !== undefined && { temperature: request.temperature }),
    ...(request.topP !== undefined && { top_p: request.topP }),
    ...(request.maxTokens !== undefined && { max_tokens: request.maxTokens }),
    ...(request.stop?.length && { stop: request.stop }),
    ...(request.seed !== undefined && { seed: request.seed }),
    ...(stream ? { stream: true, stream_options: { include_usage: true } } : { stream: false }),
  } as ChatCompletionRequest;

  const onAbort = () => engine.interruptGenerate();
  request.signal?.addEventListener('abort', onAbort, { once: true });
  const started = performance.now();
  try {
    const result = await engine.chat.completions.create(body);
    const out = isAsyncIterable(result)
      ? await collectStream(result, request)
      : fromCompletion(result, request);
    // An interrupted generation resolves normally with what it had; the caller asked to stop.
    throwIfAborted(request.signal);
    return { ...out, model: modelId, latencyMs: performance.now() - started };
  } catch (err) {
    throw toPlaygroundError(err);
  } finally {
    request.signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * web-llm generates n samples one after another anyway; asking for them one at a time costs the
 * same and lets the caller show progress (SAG candidates).
 */
async function samplesOneByOne(
  engine: WebLLMEngineLike,
  modelId: string,
  request: ChatRequest,
  n: number,
): Promise<ChatResponse> {
  const started = performance.now();
  const choices: ChatResponse['choices'] = [];
  let usage: TokenUsage | undefined;
  for (let i = 0; i < n; i++) {
    const one = await chat(engine, modelId, {
      ...request,
      n: 1,
      onToken: undefined,
      onSample: undefined,
      ...(request.seed !== undefined && { seed: request.seed + i }),
    });
    choices.push(...one.choices);
    if (one.usage) {
      usage = {
        ...one.usage,
        promptTokens: (usage?.promptTokens ?? 0) + one.usage.promptTokens,
        completionTokens: (usage?.completionTokens ?? 0) + one.usage.completionTokens,
      };
    }
    request.onSample?.(i);
  }
  return {
    choices,
    ...(usage && { usage }),
    model: modelId,
    latencyMs: performance.now() - started,
  };
}

function fromCompletion(
  c: ChatCompletion,
  request: ChatRequest,
): Omit<ChatResponse, 'model' | 'latencyMs'> {
  const choices = [...c.choices]
    .sort((a, b) => a.index - b.index)
    .map((ch) => ({
      text: ch.message.content ?? '',
      finishReason: finishReason(ch.finish_reason),
    }));
  // Callers that asked for tokens still get the text once, as the interface promises.
  if (request.onToken) choices.forEach((ch, i) => request.onToken?.(ch.text, i));
  return { choices, ...(c.usage && { usage: toUsage(c.usage) }) };
}

async function collectStream(
  chunks: AsyncIterable<ChatCompletionChunk>,
  request: ChatRequest,
): Promise<Omit<ChatResponse, 'model' | 'latencyMs'>> {
  let text = '';
  let reason: FinishReason = 'other';
  let usage: TokenUsage | undefined;
  for await (const chunk of chunks) {
    for (const ch of chunk.choices) {
      const delta = ch.delta.content ?? '';
      if (delta) {
        text += delta;
        request.onToken?.(delta, 0);
      }
      if (ch.finish_reason) reason = finishReason(ch.finish_reason);
    }
    if (chunk.usage) usage = toUsage(chunk.usage);
  }
  return { choices: [{ text, finishReason: reason }], ...(usage && { usage }) };
}

function finishReason(r: string | null | undefined): FinishReason {
  return r === 'stop' || r === 'length' || r === 'abort' ? r : 'other';
}

function toUsage(u: CompletionUsage): TokenUsage {
  const usage: TokenUsage = {
    promptTokens: u.prompt_tokens,
    completionTokens: u.completion_tokens,
  };
  const extra = u.extra as Partial<CompletionUsage['extra']> | undefined;
  if (typeof extra?.prefill_tokens_per_s === 'number')
    usage.prefillTokensPerSecond = extra.prefill_tokens_per_s;
  if (typeof extra?.decode_tokens_per_s === 'number')
    usage.decodeTokensPerSecond = extra.decode_tokens_per_s;
  return usage;
}

function isAsyncIterable(v: unknown): v is AsyncIterable<ChatCompletionChunk> {
  return typeof v === 'object' && v !== null && Symbol.asyncIterator in v;
}

/** Names the failures a user can act on: a lost GPU device and running out of GPU memory. */
export function toPlaygroundError(err: unknown, fallback: ErrorCode = 'internal'): PlaygroundError {
  if (err instanceof PlaygroundError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const name = err instanceof Error ? err.name : '';
  if (name === 'DeviceLostError' || /device (was )?lost|GPUDeviceLostInfo/i.test(message)) {
    return new PlaygroundError(
      'device_lost',
      'The GPU device was lost (often the GPU ran out of memory or the driver reset). Reload the model, or pick a smaller one.',
      { cause: err },
    );
  }
  if (/out of memory|OOM|allocation failed|CreateBuffer.*failed/i.test(message)) {
    return new PlaygroundError(
      'out_of_memory',
      'The GPU ran out of memory. Close other GPU-heavy tabs or pick a smaller model.',
      { cause: err },
    );
  }
  if (name === 'AbortError') return PlaygroundError.from(err);
  if (/Failed to fetch|NetworkError|ERR_INTERNET|Load failed/i.test(message)) {
    return new PlaygroundError(
      fallback === 'internal' ? 'engine_unreachable' : fallback,
      'The model files could not be downloaded (network error). Check the connection and try again; once downloaded, a model loads without the network.',
      { cause: err },
    );
  }
  return new PlaygroundError(fallback, `WebLLM: ${message}`, { cause: err });
}
