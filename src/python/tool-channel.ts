/**
 * Synchronous replies for tool calls: the worker blocks in Atomics.wait while the thread that owns
 * the worker writes the reply into a SharedArrayBuffer, chunk by chunk, so a reply of any size fits.
 */
const HEADER_BYTES = 16;
export const TOOL_CHUNK_BYTES = 1 << 20;

const IDLE = 0;
const READY = 1;
const CANCELLED = 2;

export function createToolBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(HEADER_BYTES + TOOL_CHUNK_BYTES);
}

/** The writer side, in the thread that owns the worker (never blocks). */
export class ToolChannelWriter {
  private readonly header: Int32Array;
  private readonly data: Uint8Array;
  private pending: { callId: number; bytes: Uint8Array; offset: number } | null = null;

  constructor(buffer: SharedArrayBuffer) {
    this.header = new Int32Array(buffer, 0, 4);
    this.data = new Uint8Array(buffer, HEADER_BYTES);
  }

  reply(callId: number, payload: string): void {
    this.pending = { callId, bytes: new TextEncoder().encode(payload), offset: 0 };
    this.writeChunk(callId);
  }

  /** The worker took a chunk and wants the next one. */
  ack(callId: number): void {
    this.writeChunk(callId);
  }

  /** Wakes a worker waiting for a reply; it raises KeyboardInterrupt in Python. */
  cancel(): void {
    this.pending = null;
    Atomics.store(this.header, 0, CANCELLED);
    Atomics.notify(this.header, 0);
  }

  private writeChunk(callId: number): void {
    const p = this.pending;
    if (!p || p.callId !== callId) return;
    const n = Math.min(TOOL_CHUNK_BYTES, p.bytes.length - p.offset);
    this.data.set(p.bytes.subarray(p.offset, p.offset + n));
    this.header[1] = p.bytes.length;
    this.header[2] = n;
    p.offset += n;
    if (p.offset >= p.bytes.length) this.pending = null;
    Atomics.store(this.header, 0, READY);
    Atomics.notify(this.header, 0);
  }
}

/** The reader side, in the worker: blocks until the whole reply is there. */
export class ToolChannelReader {
  private readonly header: Int32Array;
  private readonly data: Uint8Array;

  constructor(buffer: SharedArrayBuffer) {
    this.header = new Int32Array(buffer, 0, 4);
    this.data = new Uint8Array(buffer, HEADER_BYTES);
  }

  /** Call before announcing a request, so a stale state cannot satisfy the wait. */
  prepare(): void {
    Atomics.store(this.header, 0, IDLE);
  }

  /** Returns the reply text, or null when the call was cancelled. */
  read(askNext: () => void): string | null {
    const parts: Uint8Array[] = [];
    let received = 0;
    for (;;) {
      Atomics.wait(this.header, 0, IDLE);
      const total = this.header[1] ?? 0;
      const n = this.header[2] ?? 0;
      if (Atomics.load(this.header, 0) === CANCELLED) return null;
      parts.push(this.data.slice(0, n));
      received += n;
      if (Atomics.compareExchange(this.header, 0, READY, IDLE) === CANCELLED) return null;
      if (received >= total) break;
      askNext();
    }
    const all = new Uint8Array(received);
    let at = 0;
    for (const p of parts) {
      all.set(p, at);
      at += p.length;
    }
    return new TextDecoder().decode(all);
  }
}
