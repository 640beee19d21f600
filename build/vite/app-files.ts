import type { Plugin } from 'vite';
import { localModelsMiddleware } from '../serve/local-models.ts';

/** Serves models/ at /models/ in dev and preview. Weights are never copied into the build. */
export function localModels(modelsDir: string): Plugin {
  return {
    name: 'playground:local-models',
    configureServer(server) {
      server.middlewares.use(localModelsMiddleware(modelsDir));
    },
    configurePreviewServer(server) {
      server.middlewares.use(localModelsMiddleware(modelsDir));
    },
  };
}
