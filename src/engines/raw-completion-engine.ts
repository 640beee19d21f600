/**
 * A ChatEngine over a llama.cpp-style raw text completion (wllama in the browser, node-llama-cpp
 * in Node). The conversation is rendered here with the Qwen2.5 template the agent protocol
 * specifies (src/engines/qwen-chat-template.ts) and sent as text whose control tokens the backend
 * parses, so what the model sees is byte-identical on every engine and never depends on the
 * template a GGUF file carries. `n` samples run one after another with seeds seed, seed+1, ...
 */
import type { ChatEngine, ChatRequest, ChatResponse, FinishReason } from '../agent/ports.ts';
import { renderQwenPrompt } from './qwen-chat-template.ts';
import { PlaygroundError, throwIfAborted } from '../errors.ts';

export interface RawCompletionParams {
  prompt: string;
  maxTokens?: number;
  temperature: number;
  topP: number;
  seed: number;
  /** Text stop sequences; the returned text ends before the first one found. */
  stop: string[];
  signal?: AbortSignal;
  /** Streamed text, never past a stop sequence. */
  onText?: (delta: string) => void;
}

export interface RawCompletionResult {
  text: string;
  finishReason: FinishReason;
  promptTokens: number;
  completionTokens: number;
  /** Time to evaluate the prompt and time to generate the rest, when measured. */
  prefillMs?: number;
  decodeMs?: number;
}

export interface RawCompletionBackend {
  complete(params: RawCompletionParams): Promise<RawCompletionResult>;
}

/** OpenAI's defaults, for callers that leave sampling unset. */
const DEFAULT_TEMPERATURE = 1;
const DEFAULT_TOP_P = 1;

export function createRawCompletionEngine(
  kind: string,
  model: string,
  backend: RawCompletionBackend,
): ChatEngine {
  return { kind, model, chat: (request) => chat(backend, model, request) };
}

async function chat(
  backend: RawCompletionBackend,
  model: string,
  request: ChatRequest,
): Promise<ChatResponse> {
  throwIfAborted(request.signal);
  if (request.messages.length === 0) {
    throw new PlaygroundError('bad_input', 'A chat request needs at least one message.');
  }
  const started = performance.now();
  const prompt = renderQwenPrompt(request.messages, {
    continueFinalMessage: request.continueFinalMessage === true,
  });
  const n = request.n ?? 1;
  const seed = request.seed ?? Math.floor(Math.random() * 2 ** 31);
  const choices: ChatResponse['choices'] = [];
  let promptTokens = 0;
  let completionTokens = 0;
  let prefillMs = 0;
  let decodeMs = 0;
  let timed = true;
  for (let i = 0; i < n; i++) {
    const r = await backend.complete({
      prompt,
      ...(request.maxTokens !== undefined && { maxTokens: request.maxTokens }),
      temperature: request.temperature ?? DEFAULT_TEMPERATURE,
      topP: request.topP ?? DEFAULT_TOP_P,
      seed: (seed + i) % 2 ** 31,
      stop: request.stop ?? [],
      ...(request.signal && { signal: request.signal }),
      ...(request.onToken && { onText: (d: string) => request.onToken?.(d, i) }),
    });
    // A stopped generation returns what it had; the caller asked to stop, so it gets 'aborted'.
    throwIfAborted(request.signal);
    choices.push({ text: r.text, finishReason: r.finishReason });
    promptTokens += r.promptTokens;
    completionTokens += r.completionTokens;
    if (r.prefillMs === undefined || r.decodeMs === undefined) timed = false;
    else {
      prefillMs += r.prefillMs;
      decodeMs += r.decodeMs;
    }
    request.onSample?.(i);
  }
  return {
    choices,
    usage: {
      promptTokens,
      completionTokens,
      ...(timed && prefillMs > 0 && { prefillTokensPerSecond: (promptTokens / prefillMs) * 1000 }),
      ...(timed &&
        decodeMs > 0 && {
          // The first new token comes with the prefill.
          decodeTokensPerSecond: ((completionTokens - n) / decodeMs) * 1000,
        }),
    },
    model,
    latencyMs: performance.now() - started,
  };
}

/** One llama.cpp context serves one generation at a time; concurrent callers wait their turn. */
export function oneAtATime(backend: RawCompletionBackend): RawCompletionBackend {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    complete(p) {
      const run = tail.then(() => backend.complete(p));
      tail = run.catch(() => undefined);
      return run;
    },
  };
}
