/**
 * What the app's origin serves besides Vite's own modules: the models/ folder at /models/ and,
 * for a built app, its files with the isolation headers. The preview server (through
 * build/vite/app-files.ts) and the tests and benches that load the built app use this one
 * handler, so they serve the same bytes with the same headers.
 */
import { ISOLATION_HEADERS } from './isolation-headers.ts';
import { localModelFiles } from './local-models.ts';
import { firstOf, staticFiles, type StaticHandler } from './static-files.ts';

export interface AppFilesOptions {
  /** The models/ folder on this machine. */
  modelsDir: string;
  /** The built app (vite build's outDir); without it only /models/ is answered (dev). */
  dist?: string;
  /** The app's base URL path (Vite's `base`); default '/'. */
  base?: string;
}

export function appFiles(options: AppFilesOptions): StaticHandler {
  const handlers = [localModelFiles(options.modelsDir)];
  if (options.dist)
    handlers.push(
      staticFiles({
        root: options.dist,
        prefix: options.base ?? '/',
        index: 'index.html',
        headers: ISOLATION_HEADERS,
      }),
    );
  return firstOf(handlers);
}
