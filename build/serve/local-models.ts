/**
 * Serves models/<id>/resolve/main/* from disk for `vite dev` and `vite preview` (through
 * build/vite/local-models.ts) and for tests, so WebLLM can load weights placed on this machine
 * with no network.
 */
import { createReadStream, type Stats } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { resolve, sep } from 'node:path';
import { scanLocalModels } from '../../src/engines/local-model-folders.ts';

const CONTENT_TYPES: Record<string, string> = {
  json: 'application/json',
  wasm: 'application/wasm',
  bin: 'application/octet-stream',
  txt: 'text/plain; charset=utf-8',
  model: 'application/octet-stream',
  md: 'text/markdown; charset=utf-8',
};

// The app is cross-origin isolated (SharedArrayBuffer); everything it fetches must say so too.
const ISOLATION_HEADERS: Record<string, string> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

const FOLDER_URL = /^\/models\/([^/]+)\/resolve\/main\/(.+)$/;
const INDEX_URL = '/models/local.json';

type Next = (err?: unknown) => void;
export type Middleware = (req: IncomingMessage, res: ServerResponse, next: Next) => void;

function sendError(res: ServerResponse, status: number, message: string): void {
  const body = JSON.stringify({ code: status === 404 ? 'not_found' : 'bad_input', message });
  res.statusCode = status;
  for (const [k, v] of Object.entries(ISOLATION_HEADERS)) res.setHeader(k, v);
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.setHeader('Cache-Control', 'no-store');
  res.end(body);
}

/** Splits and decodes the path below resolve/main/; null when any part could leave the folder. */
function safeSegments(raw: string): string[] | null {
  const parts = raw.split('/');
  const out: string[] = [];
  for (const part of parts) {
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

/** A single "bytes=a-b" range; undefined for none or a form we serve whole, null if unsatisfiable. */
function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | null | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (m[1] === '') {
    // A suffix range: the last N bytes.
    const n = Number(m[2]);
    if (n === 0) return null;
    start = Math.max(0, size - n);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || start > end) return null;
  return { start, end };
}

function serveFile(req: IncomingMessage, res: ServerResponse, file: string, info: Stats): void {
  const ext = file.split('.').pop()?.toLowerCase() ?? '';
  for (const [k, v] of Object.entries(ISOLATION_HEADERS)) res.setHeader(k, v);
  res.setHeader('Content-Type', CONTENT_TYPES[ext] ?? 'application/octet-stream');
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('Last-Modified', info.mtime.toUTCString());
  // Weights change when a model is converted again; WebLLM keeps its own cache anyway.
  res.setHeader('Cache-Control', 'no-cache');
  const range = parseRange(req.headers.range, info.size);
  if (range === null) {
    res.statusCode = 416;
    res.setHeader('Content-Range', `bytes */${info.size}`);
    res.end();
    return;
  }
  const start = range?.start ?? 0;
  const end = range?.end ?? info.size - 1;
  res.statusCode = range ? 206 : 200;
  if (range) res.setHeader('Content-Range', `bytes ${start}-${end}/${info.size}`);
  res.setHeader('Content-Length', String(Math.max(0, end - start + 1)));
  if (req.method === 'HEAD' || info.size === 0) {
    res.end();
    return;
  }
  const stream = createReadStream(file, { start, end });
  stream.on('error', (err) => res.destroy(err));
  // A client that goes away (a cancelled download) must not leave the file open.
  res.on('close', () => stream.destroy());
  stream.pipe(res);
}

/**
 * Connect-style middleware for /models/<id>/resolve/main/* and /models/local.json. Paths outside
 * /models/ go to `next`; under it, a missing file is a JSON 404, never the app's HTML page, and no
 * symbolic link is followed out of a model's folder.
 */
export function localModelsMiddleware(modelsDir: string): Middleware {
  const root = resolve(modelsDir);
  return (req, res, next) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (path === INDEX_URL) {
      scanLocalModels(root).then(
        (models) => {
          const body = JSON.stringify({ models });
          for (const [k, v] of Object.entries(ISOLATION_HEADERS)) res.setHeader(k, v);
          res.setHeader('Content-Type', 'application/json');
          res.setHeader('Cache-Control', 'no-store');
          res.end(body);
        },
        (err: unknown) => next(err),
      );
      return;
    }
    if (!path.startsWith('/models/')) return next();
    const m = FOLDER_URL.exec(path);
    if (!m) {
      // Not a model file: a file that is there (models/registry.json for Vite's dev server) goes
      // on; anything else is a real 404, never the app's page.
      otherFile(root, path.slice('/models/'.length)).then(
        (found) => (found ? next() : sendError(res, 404, `Not found: ${path.slice(1)}.`)),
        (err: unknown) => next(err),
      );
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return sendError(res, 405, 'Model files are read-only: use GET or HEAD.');
    }
    const segments = safeSegments(`${m[1]}/${m[2]}`);
    if (!segments) return sendError(res, 400, 'Refused: the path leaves the models folder.');
    const [id, ...rest] = segments;
    const file = resolve(root, id as string, 'resolve', 'main', ...rest);
    // Belt and braces: whatever the decoding did, the file must lie inside models/.
    if (!file.startsWith(root + sep))
      return sendError(res, 400, 'Refused: the path leaves the models folder.');
    const missing = (): void =>
      sendError(
        res,
        404,
        `Not found: models/${id}/resolve/main/${rest.join('/')}. Place the converted model there (see models/recipes/README.md).`,
      );
    insideFolder(resolve(root, id as string), file).then(
      async (real) => {
        if (!real) return missing();
        const info = await stat(real);
        if (!info.isFile())
          return sendError(res, 404, `Not found: models/${segments.join('/')} is not a file.`);
        serveFile(req, res, real, info);
      },
      () => missing(),
    );
  };
}

/**
 * The file's real path when it lies inside the real model folder; null when it does not exist or a
 * symbolic link leads out of the folder (a model folder is served, not what its links point to).
 */
async function insideFolder(folder: string, file: string): Promise<string | null> {
  try {
    const [realFolder, realFile] = await Promise.all([realpath(folder), realpath(file)]);
    return realFile.startsWith(realFolder + sep) ? realFile : null;
  } catch {
    return null;
  }
}

/** Whether a path below /models/ that is not a model file names a file of the models folder. */
async function otherFile(root: string, below: string): Promise<boolean> {
  const segments = below ? safeSegments(below) : null;
  if (!segments) return false;
  const real = await insideFolder(root, resolve(root, ...segments));
  if (!real) return false;
  return stat(real).then(
    (s) => s.isFile(),
    () => false,
  );
}
