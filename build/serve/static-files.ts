/**
 * The one static-file handler: the dev and preview servers (through Vite plugins), the tests and
 * the benches serve files with it. `send` (the Express static-file sender) does the HTTP part:
 * Range (206/416), HEAD, ETag/Last-Modified and conditional requests, Content-Type. This file
 * decides which file a URL may name: decoded segment by segment, no `..`, no encoded separators,
 * and the real path (symbolic links followed) must lie inside the real root.
 */
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { basename, dirname, resolve, sep } from 'node:path';
import send from 'send';

/** Answers a request and resolves true, or resolves false when it has no file for the URL. */
export type StaticHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

export interface StaticFilesOptions {
  /** The folder served; nothing outside it is, whatever the URL or a symbolic link says. */
  root: string;
  /** The URL path the folder is served at, starting and ending with '/'; default '/'. */
  prefix?: string;
  /** Headers on every answer, errors included (e.g. the isolation headers). */
  headers?: Readonly<Record<string, string>>;
  /** The file answering a URL that ends in '/' (index.html for the app); none by default. */
  index?: string;
  /** Serves only the paths (relative to root, '/'-separated) this accepts. */
  only?: (path: string) => boolean;
  /** Default 'no-cache': the browser revalidates with ETag/Last-Modified. */
  cacheControl?: string;
}

type Next = (err?: unknown) => void;
/** Connect-style middleware, as Vite's dev and preview servers take it. */
export type Middleware = (req: IncomingMessage, res: ServerResponse, next: Next) => void;

/** Tries the handlers in order: the first that answers does, else none does (false). */
export function firstOf(handlers: readonly StaticHandler[]): StaticHandler {
  return async (req, res) => {
    for (const handler of handlers) if (await handler(req, res)) return true;
    return false;
  };
}

/** A handler as middleware: what it has no file for goes on to `next`. */
export function toMiddleware(handler: StaticHandler): Middleware {
  return (req, res, next) => {
    handler(req, res).then(
      (handled) => {
        if (!handled) next();
      },
      (err: unknown) => next(err),
    );
  };
}

/** An error answer in the project's `{ code, message }` shape; never an HTML page. */
export function sendJsonError(
  res: ServerResponse,
  status: number,
  message: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  const body = JSON.stringify({ code: status === 404 ? 'not_found' : 'bad_input', message });
  res.statusCode = status;
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.setHeader('Cache-Control', 'no-store');
  res.end(body);
}

export const REFUSED = 'Refused: the path leaves the served folder.';

/**
 * Splits and decodes a URL path below the served folder; null when a segment is badly encoded,
 * empty, `.` or `..`, or hides a separator or NUL byte (`%2F`, `%5C`, `%00`).
 */
export function safeSegments(raw: string): string[] | null {
  const out: string[] = [];
  for (const part of raw.split('/')) {
    let seg: string;
    try {
      seg = decodeURIComponent(part);
    } catch {
      return null;
    }
    if (seg === '' || seg === '.' || seg === '..') return null;
    if (seg.includes('/') || seg.includes('\\') || seg.includes('\0')) return null;
    out.push(seg);
  }
  return out;
}

/**
 * The file's real path when it lies inside the real folder; 'missing' when it does not exist,
 * 'outside' when a symbolic link leads out (the folder is served, not what its links point to).
 */
export async function realPathInside(
  folder: string,
  file: string,
): Promise<string | 'missing' | 'outside'> {
  let realFolder: string;
  let realFile: string;
  try {
    [realFolder, realFile] = await Promise.all([realpath(folder), realpath(file)]);
  } catch {
    return 'missing';
  }
  return realFile.startsWith(realFolder + sep) ? realFile : 'outside';
}

/** Streams one file that is known to be safe to serve; `send` handles the HTTP semantics. */
function sendFile(
  req: IncomingMessage,
  res: ServerResponse,
  file: string,
  headers: Readonly<Record<string, string>>,
): void {
  const stream = send(req, `/${encodeURIComponent(basename(file))}`, {
    root: dirname(file),
    dotfiles: 'allow',
    index: false,
    cacheControl: false,
  });
  stream.on('error', (err: { status?: number; headers?: Record<string, string> }) => {
    if (res.headersSent) return void res.destroy();
    const status = err.status ?? 500;
    if (status === 416) {
      const range = err.headers?.['Content-Range'];
      if (range) res.setHeader('Content-Range', range);
      return sendJsonError(
        res,
        416,
        `Range not satisfiable: ${req.headers.range ?? ''} (${range ?? 'unknown size'}).`,
        headers,
      );
    }
    sendJsonError(res, status === 404 ? 404 : 500, `Cannot read ${basename(file)}.`, headers);
  });
  stream.pipe(res);
}

export function staticFiles(options: StaticFilesOptions): StaticHandler {
  const root = resolve(options.root);
  const prefix = options.prefix ?? '/';
  const headers = options.headers ?? {};
  const cacheControl = options.cacheControl ?? 'no-cache';
  return async (req, res) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (!path.startsWith(prefix)) return false;
    let rel = path.slice(prefix.length);
    if (rel === '' || rel.endsWith('/')) {
      if (!options.index) return false;
      rel += options.index;
    }
    const segments = safeSegments(rel);
    if (!segments) {
      sendJsonError(res, 400, REFUSED, headers);
      return true;
    }
    if (options.only && !options.only(segments.join('/'))) return false;
    const real = await realPathInside(root, resolve(root, ...segments));
    if (real === 'missing') return false;
    if (real === 'outside') {
      // Answered here, so that no server behind this one follows the link instead.
      sendJsonError(res, 404, `Not found: ${path}.`, headers);
      return true;
    }
    const info = await stat(real);
    if (!info.isFile()) return false;
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      sendJsonError(res, 405, 'Files here are read-only: use GET or HEAD.', headers);
      return true;
    }
    res.setHeader('Cache-Control', cacheControl);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    sendFile(req, res, real, headers);
    return true;
  };
}
