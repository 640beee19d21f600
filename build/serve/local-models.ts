/**
 * Serves models/<id>/resolve/main/* from disk, so WebLLM can load weights placed on this machine
 * with no network, and GET /models/local.json, which says which of them validate. Under
 * /models/ a missing file is a JSON 404 with what to do, never the app's HTML page, and no
 * symbolic link is followed out of a model's folder. Files go out through static-files.ts.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { scanLocalModels } from '../../src/engines/local-model-folders.ts';
import { ISOLATION_HEADERS } from './isolation-headers.ts';
import {
  realPathInside,
  REFUSED,
  safeSegments,
  sendJsonError,
  staticFiles,
  type StaticHandler,
} from './static-files.ts';

const FOLDER_URL = /^\/models\/([^/]+)\/resolve\/main\/(.+)$/;
const INDEX_URL = '/models/local.json';

/** Whether a path below /models/ that is not a model file names a file of the models folder. */
async function otherFile(root: string, below: string): Promise<boolean> {
  const segments = below ? safeSegments(below) : null;
  if (!segments) return false;
  const real = await realPathInside(root, resolve(root, ...segments));
  if (real === 'missing' || real === 'outside') return false;
  return (await stat(real)).isFile();
}

/**
 * Answers /models/<id>/resolve/main/* and /models/local.json. Paths outside /models/, and files
 * of the models folder itself (models/registry.json, which Vite's dev server serves), are left
 * to the next handler.
 */
export function localModelFiles(modelsDir: string): StaticHandler {
  const root = resolve(modelsDir);
  const headers = ISOLATION_HEADERS;
  return async (req, res) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (path === INDEX_URL) {
      const body = JSON.stringify({ models: await scanLocalModels(root) });
      for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
      res.setHeader('Content-Type', 'application/json');
      res.setHeader('Cache-Control', 'no-store');
      res.end(body);
      return true;
    }
    if (!path.startsWith('/models/')) return false;
    const m = FOLDER_URL.exec(path);
    if (!m) {
      if (await otherFile(root, path.slice('/models/'.length))) return false;
      sendJsonError(res, 404, `Not found: ${path.slice(1)}.`, headers);
      return true;
    }
    const id = safeSegments(m[1] ?? '');
    if (id?.length !== 1) {
      sendJsonError(res, 400, REFUSED, headers);
      return true;
    }
    const folder = resolve(root, id[0] as string, 'resolve', 'main');
    const files = staticFiles({ root: folder, prefix: `/models/${m[1]}/resolve/main/`, headers });
    if (await files(req, res)) return true;
    sendJsonError(
      res,
      404,
      `Not found: models/${id[0]}/resolve/main/${m[2]}. Place the converted model there (see models/recipes/README.md).`,
      headers,
    );
    return true;
  };
}
