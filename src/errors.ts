/**
 * One error type for the whole project. Its `{ code, message }` form is what crosses worker,
 * process and HTTP boundaries, so messages must tell the user what to do next.
 */
export type ErrorCode =
  | 'bad_input'
  | 'aborted'
  | 'not_found'
  | 'internal'
  // engines
  | 'engine_unreachable'
  | 'engine_http'
  | 'engine_bad_response'
  | 'engine_rate_limited'
  | 'engine_unsupported'
  // python sandbox
  | 'python_start_failed'
  | 'python_crashed'
  | 'python_timeout'
  // conversation
  | 'context_full'
  // search
  | 'index_missing'
  | 'index_corrupt'
  | 'index_mismatch'
  | 'retriever_unreachable'
  | 'retriever_bad_response'
  // evaluation data
  | 'data_missing'
  | 'data_invalid'
  | 'download_failed'
  // browser
  | 'webgpu_unavailable'
  | 'model_load_failed'
  | 'model_folder_invalid'
  | 'device_lost'
  | 'out_of_memory'
  | 'quota_exceeded'
  | 'storage_failed';

export interface SerializedError {
  code: ErrorCode;
  message: string;
}

export class PlaygroundError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PlaygroundError';
    this.code = code;
  }

  toJSON(): SerializedError {
    return { code: this.code, message: this.message };
  }

  /** Rebuilds an error that crossed a boundary as `{ code, message }`. */
  static fromSerialized(e: SerializedError): PlaygroundError {
    return new PlaygroundError(e.code, e.message);
  }

  /** Wraps anything thrown into a PlaygroundError, keeping the code when there is one. */
  static from(err: unknown, fallback: ErrorCode = 'internal'): PlaygroundError {
    if (err instanceof PlaygroundError) return err;
    if (isAbortError(err)) return runStopped(err);
    if (isSerializedError(err)) return PlaygroundError.fromSerialized(err);
    const message = err instanceof Error ? err.message : String(err);
    return new PlaygroundError(fallback, message, { cause: err });
  }
}

export function isSerializedError(v: unknown): v is SerializedError {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as { code?: unknown }).code === 'string' &&
    typeof (v as { message?: unknown }).message === 'string'
  );
}

export function isAbortError(err: unknown): boolean {
  return (
    typeof err === 'object' &&
    err !== null &&
    ((err as { name?: unknown }).name === 'AbortError' ||
      (err instanceof PlaygroundError && err.code === 'aborted'))
  );
}

/** Throws the standard 'aborted' error when the signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw runStopped();
}

/** The one 'aborted' error for a run the user stopped; `cause` keeps the underlying abort. */
export function runStopped(cause?: unknown): PlaygroundError {
  return new PlaygroundError(
    'aborted',
    'The run was stopped.',
    cause === undefined ? undefined : { cause },
  );
}
