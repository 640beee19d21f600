import { resolve } from 'node:path';
import type { Plugin } from 'vite';
import { appFiles } from '../serve/app-files.ts';
import { toMiddleware } from '../serve/static-files.ts';

/**
 * models/ at /models/ in dev and preview (weights are never copied into the build), and in
 * preview the built app itself, through the project's static-file handler rather than Vite's,
 * so preview, tests and benches serve alike. What it does not answer goes on to Vite.
 */
export function serveAppFiles(modelsDir: string): Plugin {
  let dist = '';
  let base = '/';
  return {
    name: 'playground:app-files',
    configResolved(config) {
      dist = resolve(config.root, config.build.outDir);
      base = config.base;
    },
    configureServer(server) {
      server.middlewares.use(toMiddleware(appFiles({ modelsDir })));
    },
    configurePreviewServer(server) {
      server.middlewares.use(toMiddleware(appFiles({ modelsDir, dist, base })));
    },
  };
}
