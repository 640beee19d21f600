/** The one interface every model backend implements (WebLLM, OpenAI-compatible, replay). */
import type { JsonValue } from '../json.ts';

export type ChatRole = 'system' | 'user' | 'assistant';

export interface ChatMessage {
  role: ChatRole;
  content: string;
}

export interface ChatRequest {
  messages: ChatMessage[];
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  stop?: string[];
  /** Number of samples; engines that cannot batch make n requests. */
  n?: number;
  seed?: number;
  /**
   * The last message is an assistant prefix to continue (first-thought prefix). Returned texts
   * hold only the continuation, never the prefix.
   */
  continueFinalMessage?: boolean;
  /** OpenAI `response_format` (e.g. a JSON schema the paper's judge answers in); others ignore it. */
  responseFormat?: JsonValue;
  signal?: AbortSignal;
  /** Streamed text deltas for sample `index`; engines that cannot stream call it once at the end. */
  onToken?: (delta: string, index: number) => void;
  /** Called as each of the n samples is complete (progress while SAG candidates generate). */
  onSample?: (index: number) => void;
}

export type FinishReason = 'stop' | 'length' | 'abort' | 'other';

export interface ChatChoice {
  text: string;
  finishReason: FinishReason;
}

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  prefillTokensPerSecond?: number;
  decodeTokensPerSecond?: number;
}

export interface ChatResponse {
  choices: ChatChoice[];
  /** Summed over every request that served this call, when the backend reports it. */
  usage?: TokenUsage;
  model: string;
  latencyMs: number;
}

export interface ChatEngine {
  /** e.g. 'openai', 'webllm', 'replay' */
  readonly kind: string;
  /** The model name requests are made with. */
  readonly model: string;
  chat(request: ChatRequest): Promise<ChatResponse>;
}
