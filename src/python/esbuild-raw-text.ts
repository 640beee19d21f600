/**
 * Vite's `?raw` imports (the Python driver's .py files) as text, for the two esbuild bundles of
 * the sandbox: the Node child's (node-bundle.ts) and the browser frame's (build/vite/python-sandbox.ts, which
 * imports it from here so that the Node bundle never pulls in Vite).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Plugin } from 'esbuild';

export const rawTextPlugin: Plugin = {
  name: 'raw-text',
  setup(b) {
    b.onResolve({ filter: /\?raw$/ }, (args) => ({
      path: resolve(args.resolveDir, args.path.slice(0, -'?raw'.length)),
      namespace: 'raw-text',
    }));
    b.onLoad({ filter: /.*/, namespace: 'raw-text' }, (args) => ({
      contents: readFileSync(args.path, 'utf8'),
      loader: 'text',
    }));
  },
};
