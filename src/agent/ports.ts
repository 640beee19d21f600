/**
 * The ports of the method: what the agent loop needs from the world, as interfaces. Engines
 * (src/engines), the Python sandbox (src/python) and the retrievers (src/search) implement them;
 * src/agent imports no implementation folder.
 */
import type { JsonValue } from '../json.ts';

// ---- The chat engine: the one interface every model backend implements (WebLLM, wllama,
// OpenAI-compatible, llama.cpp, replay).

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

// ---- The Python sandbox and the tools Python calls.

/**
 * The agent's Python interpreter. One sandbox serves one task at a time; its variables and
 * imports persist across the steps of that task (docs/protocol.md section 3).
 */
export interface PythonSandbox {
  /** Loads Pyodide; idempotent. Fails with code 'python_start_failed'. */
  start(): Promise<void>;
  /** Forgets every variable and import: a new task starts here. */
  reset(): Promise<void>;
  /**
   * True when `code` parses as Python (docs/protocol.md section 2: a model output without a code fence is
   * the code itself when it parses). Runs nothing.
   */
  checkSyntax(code: string): Promise<boolean>;
  /** Runs code in the task's state and keeps what it changes. */
  execute(code: string, options?: ExecuteOptions): Promise<ExecutionResult>;
  /**
   * Self-consistent action generation: runs each code against its own copy of the current state.
   * The task's state is untouched until `adoptCandidate` picks one of the results.
   */
  executeCandidates(codes: readonly string[], options?: ExecuteOptions): Promise<ExecutionResult[]>;
  /** Makes the state candidate `index` of the last `executeCandidates` produced the task's state. */
  adoptCandidate(index: number): Promise<void>;
  dispose(): Promise<void>;
}

export interface ExecuteOptions {
  /** Per-execution wall-clock limit; default 20 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** A JS-side tool that Python calls as a plain synchronous function, e.g. `web_search(query)`. */
export interface SandboxTool {
  name: string;
  /** Parameter names in positional order; Python may pass them positionally or by keyword. */
  params: string[];
  call(args: Record<string, JsonValue>, signal?: AbortSignal): Promise<ToolResult>;
}

export interface ToolResult {
  /** What the Python call returns (a str). */
  text: string;
  /** Structured data for the UI and the run record (e.g. the passages found). */
  data?: JsonValue;
}

export interface ToolCallRecord {
  name: string;
  args: Record<string, JsonValue>;
  text: string;
  data?: JsonValue;
  durationMs: number;
}

export type SandboxErrorKind = 'syntax' | 'runtime' | 'policy' | 'timeout' | 'crash';

export interface SandboxError {
  kind: SandboxErrorKind;
  /** Python exception type name, e.g. 'ZeroDivisionError', 'InterpreterError'. */
  type: string;
  /**
   * The text that follows "Error:\n" in the observation, byte for byte, e.g.
   * "Code execution failed at line 'x = 1/0' due to: ZeroDivisionError: division by zero".
   */
  message: string;
}

export interface ExecutionResult {
  /** 'final': final_answer() was called; 'ok': ran to the end; 'error': failed. */
  status: 'ok' | 'final' | 'error';
  /** Everything printed, already truncated the protocol's way (50,000 chars). */
  logs: string;
  /** str() of the last top-level value, or of the final answer; truncated at 20,000 chars. */
  output: string;
  finalAnswer?: FinalAnswerValue;
  error?: SandboxError;
  /** The interpreter had to be restarted: variables and imports from earlier steps are gone. */
  stateLost: boolean;
  toolCalls: ToolCallRecord[];
  durationMs: number;
}

export interface FinalAnswerValue {
  /** str(answer), untruncated. */
  text: string;
  /** Python type name of the answer, e.g. 'int', 'str'. */
  type: string;
}

// ---- The retriever behind web_search: the local sharded index or a remote /retrieve server.

/** A passage as the agent and the UI see it. */
export interface Passage {
  id: string;
  title: string;
  text: string;
  /** `"\"Title\"\ntext"`, the wiki-18 form that web_search prints. */
  contents: string;
  /** Similarity in [0, 1]. */
  score: number;
}

export interface Retriever {
  /** Short human description, e.g. "local index (44,646 passages)". */
  readonly description: string;
  search(query: string, k: number, signal?: AbortSignal): Promise<Passage[]>;
}
