import type { JsonValue } from '../json.ts';

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
