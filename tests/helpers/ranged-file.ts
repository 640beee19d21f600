/**
 * Serves a file the way a model hub does, slowly enough to cancel midway: `bytes=N-` Range
 * requests answer 206 from N (416 past the end), others 200 with the whole body.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

export function sendRanged(
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  opts: { honourRange?: boolean; headers?: OutgoingHttpHeaders; chunkDelayMs: number },
): void {
  const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  const from = (opts.honourRange ?? true) && m ? Number(m[1]) : 0;
  if (from >= body.length && from > 0) {
    res.writeHead(416, { ...opts.headers, 'Content-Range': `bytes */${body.length}` }).end();
    return;
  }
  res.writeHead(from > 0 ? 206 : 200, {
    ...opts.headers,
    'Content-Length': String(body.length - from),
    ...(from > 0 && { 'Content-Range': `bytes ${from}-${body.length - 1}/${body.length}` }),
  });
  let at = from;
  const tick = () => {
    if (res.destroyed) return;
    if (at >= body.length) return void res.end();
    res.write(body.subarray(at, at + 16384));
    at += 16384;
    setTimeout(tick, opts.chunkDelayMs);
  };
  tick();
}
