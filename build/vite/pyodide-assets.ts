import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Plugin } from 'vite';
import { ISOLATION_HEADERS } from '../serve/isolation-headers.ts';
import { staticFiles, toMiddleware } from '../serve/static-files.ts';

// Pyodide resolves its runtime files relative to indexURL; these must come from our own origin.
const pyodideFiles = [
  'pyodide.mjs',
  'pyodide.asm.mjs',
  'pyodide.asm.wasm',
  'python_stdlib.zip',
  'pyodide-lock.json',
];

/**
 * Serves Pyodide's core at /pyodide/ in dev and preview and emits it into the build. Files that
 * `playground setup` placed in public/pyodide/ (packages such as numpy) win over the npm copies.
 */
export function pyodideAssets(root: string): Plugin {
  const pyodideDir = resolve(root, 'node_modules/pyodide');
  const publicCopy = (name: string) => existsSync(resolve(root, 'public/pyodide', name));
  return {
    name: 'playground:pyodide-assets',
    configureServer(server) {
      const files = staticFiles({
        root: pyodideDir,
        prefix: '/pyodide/',
        headers: ISOLATION_HEADERS,
        only: (name) => pyodideFiles.includes(name) && !publicCopy(name),
      });
      server.middlewares.use(toMiddleware(files));
    },
    generateBundle() {
      for (const name of pyodideFiles) {
        if (publicCopy(name)) continue;
        this.emitFile({
          type: 'asset',
          fileName: `pyodide/${name}`,
          source: readFileSync(join(pyodideDir, name)),
        });
      }
    },
  };
}
