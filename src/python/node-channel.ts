/**
 * The byte channel between the host and the Node sandbox child: one JSON value per line, over
 * plain pipes. Node's own IPC channel is not used because the child's model code can write raw
 * bytes to any of its file descriptors, and a malformed IPC frame throws inside the parent, which
 * ends the CLI. Here a bad line is dropped and an oversized one ends only the child.
 */

/** A message bigger than this ends the child: real ones (results, tool calls) stay far below. */
export const MAX_CHANNEL_LINE_BYTES = 64 * 2 ** 20;

/** One line for the channel. JSON never holds a raw newline, so the line is the message. */
export function encodeLine(message: unknown): string {
  return `${JSON.stringify(message)}\n`;
}

export interface LineHandlers {
  message(value: unknown): void;
  /** A line that is not JSON: dropped. */
  invalid(reason: string): void;
  /** A line over the limit: the sender is misbehaving and should be stopped. */
  overflow(): void;
}

/** Splits a byte stream into JSON lines; holds at most `maxLineBytes` of a pending line. */
export class LineReader {
  private parts: Buffer[] = [];
  private pending = 0;
  private stopped = false;

  constructor(
    private readonly on: LineHandlers,
    private readonly maxLineBytes = MAX_CHANNEL_LINE_BYTES,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    while (!this.stopped) {
      const nl = chunk.indexOf(0x0a, start);
      const end = nl === -1 ? chunk.length : nl;
      this.pending += end - start;
      if (this.pending > this.maxLineBytes) {
        this.stopped = true;
        this.parts = [];
        this.on.overflow();
        return;
      }
      if (end > start) this.parts.push(chunk.subarray(start, end));
      if (nl === -1) return;
      const line = Buffer.concat(this.parts).toString('utf8');
      this.parts = [];
      this.pending = 0;
      start = nl + 1;
      if (line.trim()) this.deliver(line);
    }
  }

  private deliver(line: string): void {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      this.on.invalid(`a line that is not JSON (${line.length} characters)`);
      return;
    }
    this.on.message(value);
  }
}
