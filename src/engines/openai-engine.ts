/**
 * A ChatEngine over any OpenAI-compatible HTTP server (vLLM, llama.cpp, Ollama, hosted APIs),
 * using only fetch so it runs in Node and in the browser.
 */
import { PlaygroundError, isAbortError, runStopped } from '../errors.ts';
import { addOptionalUsage } from '../agent/token-usage.ts';
import type {
  ChatChoice,
  ChatEngine,
  ChatMessage,
  ChatRequest,
  ChatResponse,
  FinishReason,
  TokenUsage,
} from '../agent/ports.ts';
import { QWEN_END_OF_TURN, renderQwenPrompt } from './qwen-chat-template.ts';
import { DEFAULT_REQUEST_LIMITS, RequestWatch, type RequestLimits } from './request-limits.ts';
import { readServerSentEvents } from './sse.ts';

/**
 * How "continue this assistant message" is sent:
 * - 'vllm': chat endpoint with `continue_final_message: true, add_generation_prompt: false`
 * - 'completions': the plain completions endpoint with the Qwen2.5 template rendered here
 * - 'auto': vLLM's form first; on a 400 the completions form, remembered for later calls
 */
export type ContinuationMode = 'auto' | 'vllm' | 'completions';

/**
 * How the user sets each value, for error messages: the app's field names unless the caller
 * (the CLI) names its flags, so browser users are never told about command-line options.
 */
export interface SettingNames {
  baseUrl: string;
  model: string;
  apiKey: string;
  concurrency: string;
}

export const APP_SETTING_NAMES: SettingNames = {
  baseUrl: 'the Server URL',
  model: 'the Model name',
  apiKey: 'the API key',
  concurrency: 'the number run in parallel',
};

export interface OpenAIEngineOptions {
  /** Base URL including the version path, e.g. http://127.0.0.1:8000/v1 */
  baseUrl: string;
  model: string;
  apiKey?: string;
  /** Attempts for 429/5xx/network failures (first try included). */
  maxAttempts?: number;
  /** Base delay of the exponential backoff. */
  retryBaseMs?: number;
  /** Longest a whole request may take (request-limits.ts: 10 min). */
  requestTimeoutMs?: number;
  /** Longest wait for the next byte of an answer (request-limits.ts: 60 s). */
  idleTimeoutMs?: number;
  /** Most bytes read from one answer (request-limits.ts: 8 MB). */
  maxResponseBytes?: number;
  continuation?: ContinuationMode;
  fetch?: typeof fetch;
  /** Names for the settings in error messages; APP_SETTING_NAMES by default. */
  settingNames?: SettingNames;
}

interface WireChoice {
  index?: number;
  message?: { content?: unknown };
  text?: unknown;
  delta?: { content?: unknown };
  finish_reason?: unknown;
}

interface WireCompletion {
  choices?: WireChoice[];
  usage?: { prompt_tokens?: unknown; completion_tokens?: unknown };
  /** llama.cpp's server reports its own speeds here. */
  timings?: { prompt_per_second?: unknown; predicted_per_second?: unknown };
}

const RETRYABLE = new Set([408, 409, 425, 429, 500, 502, 503, 504]);

function finishReason(v: unknown): FinishReason {
  if (v === 'stop' || v === 'length') return v;
  if (v === 'abort') return 'abort';
  return v == null ? 'stop' : 'other';
}

function usageOf(
  wire: WireCompletion['usage'],
  timings?: WireCompletion['timings'],
): TokenUsage | undefined {
  if (!wire || typeof wire.prompt_tokens !== 'number' || typeof wire.completion_tokens !== 'number')
    return undefined;
  const speed = (v: unknown): number | undefined =>
    typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined;
  const prefill = speed(timings?.prompt_per_second);
  const decode = speed(timings?.predicted_per_second);
  return {
    promptTokens: wire.prompt_tokens,
    completionTokens: wire.completion_tokens,
    ...(prefill !== undefined && { prefillTokensPerSecond: prefill }),
    ...(decode !== undefined && { decodeTokensPerSecond: decode }),
  };
}

/**
 * Speeds from the clock of a streamed answer, for servers that report none: prefill is the
 * prompt over the wait for the first token (queueing and network included, so a lower bound),
 * decode the tokens after the first over the time they took.
 */
export function clockSpeeds(
  usage: TokenUsage,
  times: { sentAt: number; firstAt: number | null; endAt: number },
): TokenUsage {
  const out = { ...usage };
  const { sentAt, firstAt, endAt } = times;
  if (firstAt === null) return out;
  if (out.prefillTokensPerSecond === undefined && firstAt > sentAt && usage.promptTokens > 0)
    out.prefillTokensPerSecond = usage.promptTokens / ((firstAt - sentAt) / 1000);
  if (out.decodeTokensPerSecond === undefined && endAt > firstAt && usage.completionTokens > 1)
    out.decodeTokensPerSecond = (usage.completionTokens - 1) / ((endAt - firstAt) / 1000);
  return out;
}

function delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(runStopped());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function snippet(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > 200 ? `${one.slice(0, 200)}…` : one;
}

export class OpenAIEngine implements ChatEngine {
  readonly kind = 'openai';
  readonly model: string;
  private readonly baseUrl: string;
  private readonly apiKey: string | undefined;
  private readonly maxAttempts: number;
  private readonly retryBaseMs: number;
  private readonly limits: RequestLimits;
  private readonly fetchImpl: typeof fetch;
  private continuation: ContinuationMode;
  private readonly names: SettingNames;

  constructor(options: OpenAIEngineOptions) {
    this.names = options.settingNames ?? APP_SETTING_NAMES;
    if (!/^https?:\/\//.test(options.baseUrl)) {
      throw new PlaygroundError(
        'bad_input',
        `The base URL "${options.baseUrl}" is not an http(s) URL. Give the server's OpenAI-compatible root, e.g. http://127.0.0.1:8000/v1.`,
      );
    }
    if (!options.model)
      throw new PlaygroundError(
        'bad_input',
        `No model name given: set ${this.names.model} to the name the server serves, e.g. Qwen/Qwen2.5-1.5B-Instruct.`,
      );
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.model = options.model;
    this.apiKey = options.apiKey;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 4);
    this.retryBaseMs = options.retryBaseMs ?? 500;
    this.limits = {
      idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_REQUEST_LIMITS.idleTimeoutMs,
      totalTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_LIMITS.totalTimeoutMs,
      maxResponseBytes: options.maxResponseBytes ?? DEFAULT_REQUEST_LIMITS.maxResponseBytes,
    };
    this.continuation = options.continuation ?? 'auto';
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  }

  async chat(request: ChatRequest): Promise<ChatResponse> {
    const started = performance.now();
    const n = Math.max(1, request.n ?? 1);
    const choices: ChatChoice[] = [];
    let usage: TokenUsage | undefined;
    // Servers that ignore `n` (llama.cpp, Ollama) answer one choice: ask again for the rest.
    while (choices.length < n) {
      const want = n - choices.length;
      const part = await this.once(request, want);
      if (part.choices.length === 0) {
        throw new PlaygroundError(
          'engine_bad_response',
          `The server at ${this.baseUrl} returned a completion with no choices. Check its logs.`,
        );
      }
      const got = part.choices.slice(0, want);
      got.forEach((_, i) => request.onSample?.(choices.length + i));
      choices.push(...got);
      usage = addOptionalUsage(usage, part.usage);
    }
    return { choices, usage, model: this.model, latencyMs: performance.now() - started };
  }

  private async once(
    request: ChatRequest,
    n: number,
  ): Promise<{ choices: ChatChoice[]; usage?: TokenUsage }> {
    const continuing = request.continueFinalMessage === true;
    if (continuing && this.continuation !== 'vllm') {
      if (this.continuation === 'completions') return this.viaCompletions(request, n);
      try {
        return await this.viaChat(request, n);
      } catch (err) {
        // Servers without vLLM's extension reject the unknown fields with a 400.
        if (
          err instanceof PlaygroundError &&
          err.code === 'engine_http' &&
          /\b400\b/.test(err.message)
        ) {
          this.continuation = 'completions';
          return this.viaCompletions(request, n);
        }
        throw err;
      }
    }
    return this.viaChat(request, n);
  }

  private samplingBody(request: ChatRequest, n: number): Record<string, unknown> {
    const body: Record<string, unknown> = { model: this.model };
    if (n > 1) body.n = n;
    if (request.temperature !== undefined) body.temperature = request.temperature;
    if (request.topP !== undefined) body.top_p = request.topP;
    if (request.maxTokens !== undefined) body.max_tokens = request.maxTokens;
    if (request.stop && request.stop.length > 0) body.stop = request.stop;
    if (request.seed !== undefined) body.seed = request.seed;
    return body;
  }

  private async viaChat(
    request: ChatRequest,
    n: number,
  ): Promise<{ choices: ChatChoice[]; usage?: TokenUsage }> {
    const body: Record<string, unknown> = {
      ...this.samplingBody(request, n),
      messages: request.messages.map((m: ChatMessage) => ({ role: m.role, content: m.content })),
    };
    if (request.responseFormat !== undefined) body.response_format = request.responseFormat;
    if (request.continueFinalMessage) {
      body.continue_final_message = true;
      body.add_generation_prompt = false;
    }
    return this.post('/chat/completions', body, request, n, 'chat');
  }

  private async viaCompletions(
    request: ChatRequest,
    n: number,
  ): Promise<{ choices: ChatChoice[]; usage?: TokenUsage }> {
    const body = {
      ...this.samplingBody(request, n),
      stop: [...(request.stop ?? []), ...QWEN_END_OF_TURN],
      prompt: renderQwenPrompt(request.messages, {
        continueFinalMessage: request.continueFinalMessage === true,
      }),
    };
    return this.post('/completions', body, request, n, 'completions');
  }

  private async post(
    path: string,
    body: Record<string, unknown>,
    request: ChatRequest,
    n: number,
    kind: 'chat' | 'completions',
  ): Promise<{ choices: ChatChoice[]; usage?: TokenUsage }> {
    const sentAt = performance.now();
    const stream = request.onToken !== undefined && n === 1;
    if (stream) {
      body.stream = true;
      body.stream_options = { include_usage: true };
    }
    const url = `${this.baseUrl}${path}`;
    for (let attempt = 1; ; attempt++) {
      // Each attempt has its own idle clock and budget; a stalled server is not retried.
      const watch = new RequestWatch(this.limits, this.baseUrl, request.signal);
      try {
        let response: Response;
        try {
          response = await this.fetchImpl(url, {
            method: 'POST',
            headers: {
              'Content-Type': 'application/json',
              ...(this.apiKey ? { Authorization: `Bearer ${this.apiKey}` } : {}),
            },
            body: JSON.stringify(body),
            signal: watch.signal,
          });
        } catch (err) {
          if (request.signal?.aborted) throw runStopped(err);
          const failure = watch.failure();
          if (failure) throw failure;
          if (attempt < this.maxAttempts) {
            watch.dispose();
            await delay(this.retryBaseMs * 2 ** (attempt - 1), request.signal);
            continue;
          }
          throw new PlaygroundError(
            'engine_unreachable',
            `Cannot reach the model server at ${this.baseUrl} (${describeNetworkError(err)}). Start it (e.g. \`vllm serve <model>\`, \`llama-server\`, \`ollama serve\`) or fix ${this.names.baseUrl}.`,
            { cause: err },
          );
        }
        watch.touch();

        if (!response.ok) {
          const text = await watch.head(response.body).catch(() => '');
          if (RETRYABLE.has(response.status) && attempt < this.maxAttempts) {
            const retryAfter = Number(response.headers.get('retry-after'));
            const wait =
              Number.isFinite(retryAfter) && retryAfter > 0
                ? retryAfter * 1000
                : this.retryBaseMs * 2 ** (attempt - 1);
            watch.dispose();
            await delay(Math.min(wait, 30_000), request.signal);
            continue;
          }
          const code = response.status === 429 ? 'engine_rate_limited' : 'engine_http';
          const hint =
            response.status === 401 || response.status === 403
              ? ` Check ${this.names.apiKey}.`
              : response.status === 404
                ? ` Check ${this.names.baseUrl} (it should end with the API root, e.g. /v1) and that the server serves model "${this.model}".`
                : response.status === 429
                  ? ` The server is rate limiting: lower ${this.names.concurrency} or wait.`
                  : '';
          throw new PlaygroundError(
            code,
            `The model server answered HTTP ${response.status} for ${path}: ${snippet(text) || response.statusText}.${hint}`,
          );
        }

        try {
          // Some servers ignore `stream: true` and answer one JSON document.
          const isEventStream = (response.headers.get('content-type') ?? '').includes(
            'text/event-stream',
          );
          if (stream && isEventStream)
            return await this.readStream(response, request, kind, watch, sentAt);
          const result = await this.readJson(response, kind, watch);
          if (stream) result.choices.forEach((c, i) => request.onToken?.(c.text, i));
          return result;
        } catch (err) {
          if (request.signal?.aborted) throw runStopped(err);
          const failure = watch.failure();
          if (failure) throw failure;
          if (isAbortError(err)) throw runStopped(err);
          throw err;
        }
      } finally {
        watch.dispose();
      }
    }
  }

  private async readJson(
    response: Response,
    kind: 'chat' | 'completions',
    watch: RequestWatch,
  ): Promise<{ choices: ChatChoice[]; usage?: TokenUsage }> {
    const text = await watch.text(response.body);
    let parsed: WireCompletion;
    try {
      parsed = JSON.parse(text) as WireCompletion;
    } catch {
      throw new PlaygroundError(
        'engine_bad_response',
        `The server at ${this.baseUrl} did not answer with JSON: "${snippet(text)}". Is ${this.names.baseUrl} an OpenAI-compatible API root (e.g. http://127.0.0.1:8000/v1)?`,
      );
    }
    if (!parsed || !Array.isArray(parsed.choices)) {
      throw new PlaygroundError(
        'engine_bad_response',
        `The server at ${this.baseUrl} answered JSON without "choices": "${snippet(text)}". Is it an OpenAI-compatible server?`,
      );
    }
    const choices = [...parsed.choices]
      .sort((a, b) => (a.index ?? 0) - (b.index ?? 0))
      .map((c): ChatChoice => {
        const content = kind === 'chat' ? c.message?.content : c.text;
        if (typeof content !== 'string' && content !== null && content !== undefined) {
          throw new PlaygroundError(
            'engine_bad_response',
            `The server at ${this.baseUrl} returned a choice whose text is not a string.`,
          );
        }
        return {
          text: typeof content === 'string' ? content : '',
          finishReason: finishReason(c.finish_reason),
        };
      });
    return { choices, usage: usageOf(parsed.usage, parsed.timings) };
  }

  private async readStream(
    response: Response,
    request: ChatRequest,
    kind: 'chat' | 'completions',
    watch: RequestWatch,
    sentAt: number,
  ): Promise<{ choices: ChatChoice[]; usage?: TokenUsage }> {
    if (!response.body)
      throw new PlaygroundError(
        'engine_bad_response',
        `The server at ${this.baseUrl} sent an empty stream.`,
      );
    let text = '';
    let reason: FinishReason = 'stop';
    let usage: TokenUsage | undefined;
    let events = 0;
    let firstAt: number | null = null;
    for await (const data of readServerSentEvents(watch.limit(response.body))) {
      events++;
      if (data === '[DONE]') break;
      let chunk: WireCompletion;
      try {
        chunk = JSON.parse(data) as WireCompletion;
      } catch {
        throw new PlaygroundError(
          'engine_bad_response',
          `The server at ${this.baseUrl} streamed something that is not JSON: "${snippet(data)}".`,
        );
      }
      usage = usageOf(chunk.usage, chunk.timings) ?? usage;
      const choice = chunk.choices?.[0];
      if (!choice) continue;
      const delta = kind === 'chat' ? choice.delta?.content : choice.text;
      if (typeof delta === 'string' && delta.length > 0) {
        firstAt ??= performance.now();
        text += delta;
        request.onToken?.(delta, 0);
      }
      if (choice.finish_reason != null) reason = finishReason(choice.finish_reason);
    }
    if (events === 0) {
      throw new PlaygroundError(
        'engine_bad_response',
        `The server at ${this.baseUrl} opened a stream but sent no events. Check its logs.`,
      );
    }
    const endAt = performance.now();
    return {
      choices: [{ text, finishReason: reason }],
      ...(usage && { usage: clockSpeeds(usage, { sentAt, firstAt, endAt }) }),
    };
  }
}

function describeNetworkError(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (cause && typeof cause.code === 'string') {
    if (cause.code === 'ECONNREFUSED') return 'connection refused';
    if (cause.code === 'ENOTFOUND') return 'host not found';
    return cause.code;
  }
  return err instanceof Error ? err.message : String(err);
}

export function createOpenAIEngine(options: OpenAIEngineOptions): OpenAIEngine {
  return new OpenAIEngine(options);
}
