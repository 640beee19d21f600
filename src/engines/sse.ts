/**
 * Reads the `data:` payloads of a server-sent-events stream (OpenAI streaming responses). How much
 * it may hold is bounded by the stream it is given (request-limits.ts); each byte is scanned for an
 * event separator once, so a server trickling an endless event costs linear time.
 */
export async function* readServerSentEvents(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  // Where the search for the next separator resumes: it cannot start before this.
  let scanned = 0;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      const separator = /\r?\n\r?\n/g;
      for (;;) {
        // A separator is at most 4 characters, so it may start up to 3 before the old end.
        separator.lastIndex = Math.max(0, scanned - 3);
        const match = separator.exec(buffer);
        if (!match) {
          scanned = buffer.length;
          break;
        }
        const event = buffer.slice(0, match.index);
        buffer = buffer.slice(match.index + match[0].length);
        scanned = 0;
        const data = dataOf(event);
        if (data) yield data;
      }
      if (done) break;
    }
    const rest = buffer.trim();
    if (rest.startsWith('data:')) yield rest.slice(5).trim();
  } finally {
    // Stopped early ([DONE], an error): the server may go on sending; stop reading it.
    await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

function dataOf(event: string): string {
  return event
    .split(/\r?\n/)
    .filter((line) => line.startsWith('data:'))
    .map((line) => line.slice(5).replace(/^ /, ''))
    .join('\n');
}
