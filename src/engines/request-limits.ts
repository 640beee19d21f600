/**
 * The limits every request to a model server runs under, in one place: a server that stalls,
 * trickles bytes, streams forever or sends an endless body ends the request with a one-line error
 * instead of holding the run (or the memory) hostage.
 */
import { PlaygroundError } from '../errors.ts';

export interface RequestLimits {
  /** Longest wait for the next byte (headers included); 60 s. */
  idleTimeoutMs: number;
  /** Longest a whole request may take, from sending to the last byte; 10 min. */
  totalTimeoutMs: number;
  /** Most bytes read from one response; 8 MB. */
  maxResponseBytes: number;
}

export const DEFAULT_REQUEST_LIMITS: Readonly<RequestLimits> = {
  idleTimeoutMs: 60_000,
  totalTimeoutMs: 600_000,
  maxResponseBytes: 8 * 2 ** 20,
};

/** Bytes read of an error response: enough for the message, never the whole of an endless one. */
export const MAX_ERROR_BODY_BYTES = 64 * 2 ** 10;

function size(bytes: number): string {
  return bytes >= 2 ** 20
    ? `${Number((bytes / 2 ** 20).toFixed(1))} MB`
    : `${Math.round(bytes / 1024)} KB`;
}

function seconds(ms: number): string {
  const s = Number((ms / 1000).toFixed(1));
  return `${s} s`;
}

/**
 * Watches one request: its signal aborts when the caller aborts, when no byte came for the idle
 * limit, or when the total budget is spent; `failure()` then says which, as the error to throw.
 */
export class RequestWatch {
  readonly signal: AbortSignal;
  private readonly controller = new AbortController();
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly totalTimer: ReturnType<typeof setTimeout>;
  private expired: 'idle' | 'total' | null = null;

  constructor(
    private readonly limits: RequestLimits,
    private readonly server: string,
    caller?: AbortSignal,
  ) {
    this.signal = caller
      ? AbortSignal.any([caller, this.controller.signal])
      : this.controller.signal;
    this.totalTimer = setTimeout(() => this.expire('total'), limits.totalTimeoutMs);
    this.touch();
  }

  /** A byte arrived: the idle clock starts again. */
  touch(): void {
    if (this.expired) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.expire('idle'), this.limits.idleTimeoutMs);
  }

  dispose(): void {
    clearTimeout(this.idleTimer);
    clearTimeout(this.totalTimer);
  }

  /** The error for a request this watch ended; null when it did not end it. */
  failure(): PlaygroundError | null {
    if (this.expired === 'idle')
      return new PlaygroundError(
        'engine_unreachable',
        `The model server at ${this.server} sent nothing for ${seconds(this.limits.idleTimeoutMs)}, so the request was stopped. Check that it is running and not overloaded, or allow a longer request timeout.`,
      );
    if (this.expired === 'total')
      return new PlaygroundError(
        'engine_unreachable',
        `The model server at ${this.server} did not finish its answer within ${seconds(this.limits.totalTimeoutMs)}, so the request was stopped. Check that it is not overloaded and that max tokens is sensible, or allow a longer request budget.`,
      );
    return null;
  }

  /**
   * The body as a stream that resets the idle clock on every chunk and errors once more than
   * `maxBytes` came (default: the response limit).
   */
  limit(
    body: ReadableStream<Uint8Array>,
    maxBytes = this.limits.maxResponseBytes,
  ): ReadableStream<Uint8Array> {
    let total = 0;
    const server = this.server;
    return body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform: (chunk, controller) => {
          this.touch();
          total += chunk.byteLength;
          if (total > maxBytes) {
            controller.error(
              new PlaygroundError(
                'engine_bad_response',
                `The model server at ${server} sent more than ${size(maxBytes)} for one answer, so reading stopped. Check that it is an OpenAI-compatible server and that max tokens is sensible.`,
              ),
            );
            this.controller.abort();
            return;
          }
          controller.enqueue(chunk);
        },
      }),
      { signal: this.signal },
    );
  }

  /** The whole (limited) body as text. */
  async text(body: ReadableStream<Uint8Array> | null): Promise<string> {
    if (!body) return '';
    return readText(this.limit(body), Infinity);
  }

  /** At most `maxBytes` of the body as text (an error response's message); the rest is dropped. */
  async head(
    body: ReadableStream<Uint8Array> | null,
    maxBytes = MAX_ERROR_BODY_BYTES,
  ): Promise<string> {
    if (!body) return '';
    return readText(this.limit(body, Infinity), maxBytes);
  }

  private expire(why: 'idle' | 'total'): void {
    if (this.expired) return;
    this.expired = why;
    this.dispose();
    this.controller.abort();
  }
}

async function readText(body: ReadableStream<Uint8Array>, maxBytes: number): Promise<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let read = 0;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      read += value.byteLength;
      text += decoder.decode(value, { stream: true });
      if (read >= maxBytes) {
        await reader.cancel().catch(() => undefined);
        break;
      }
    }
  } finally {
    reader.releaseLock();
  }
  return text + decoder.decode();
}
