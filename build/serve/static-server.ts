/**
 * A static-file server on a free 127.0.0.1 port, for tests and benches: the same handler as the
 * dev and preview servers (static-files.ts), plus optional in-memory pages (a bench's HTML page
 * and bundled script). Whatever no handler answers is a JSON 404.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  firstOf,
  sendJsonError,
  staticFiles,
  type StaticFilesOptions,
  type StaticHandler,
} from './static-files.ts';

export interface StaticPage {
  type: string;
  body: string | Uint8Array;
}

export interface StaticServerOptions extends Partial<StaticFilesOptions> {
  /** Tried in order before the folder at `root` (if any); e.g. the app's /models/ handler. */
  handlers?: StaticHandler[];
  /** Fixed answers by exact URL path, e.g. { '/': { type: 'text/html', body } }. */
  pages?: Record<string, StaticPage>;
}

export interface StaticServer {
  /** Base URL, ending in '/'. */
  url: string;
  port: number;
  /** Body bytes of files sent (pages not counted) since the start or the last reset. */
  bytesSent(): number;
  resetBytesSent(): void;
  close(): Promise<void>;
}

export async function startStaticServer(options: StaticServerOptions): Promise<StaticServer> {
  const headers = options.headers ?? {};
  const handlers = [...(options.handlers ?? [])];
  if (options.root) handlers.push(staticFiles({ ...options, root: options.root }));
  const handle = firstOf(handlers);
  let sent = 0;

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    const page = options.pages?.[path];
    if (page) {
      const body = typeof page.body === 'string' ? Buffer.from(page.body) : page.body;
      for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
      res.setHeader('Content-Type', page.type);
      res.setHeader('Content-Length', body.byteLength);
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    res.on('finish', () => {
      if (req.method !== 'HEAD' && (res.statusCode === 200 || res.statusCode === 206))
        sent += Number(res.getHeader('Content-Length') ?? 0);
    });
    handle(req, res)
      .then((handled) => {
        if (!handled) sendJsonError(res, 404, `Not found: ${path}.`, headers);
      })
      .catch((err: unknown) => {
        if (res.headersSent) return void res.destroy();
        sendJsonError(res, 500, `Server error: ${String(err)}.`, headers);
      });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', ok);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    bytesSent: () => sent,
    resetBytesSent: () => {
      sent = 0;
    },
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
