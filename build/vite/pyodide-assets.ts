import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Plugin } from 'vite';

// Pyodide resolves its runtime files relative to indexURL; these must come from our own origin.
const pyodideFiles = [
  'pyodide.mjs',
  'pyodide.asm.mjs',
  'pyodide.asm.wasm',
  'python_stdlib.zip',
  'pyodide-lock.json',
];
const mimeTypes: Record<string, string> = {
  mjs: 'text/javascript',
  js: 'text/javascript',
  wasm: 'application/wasm',
  zip: 'application/zip',
  json: 'application/json',
};

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
      server.middlewares.use((req, res, next) => {
        const url = req.url?.split('?')[0] ?? '';
        const m = /^\/pyodide\/([^/]+)$/.exec(url);
        const name = m?.[1];
        if (!name || !pyodideFiles.includes(name) || publicCopy(name)) return next();
        const file = join(pyodideDir, name);
        res.setHeader(
          'Content-Type',
          mimeTypes[name.split('.').pop() ?? ''] ?? 'application/octet-stream',
        );
        res.setHeader('Content-Length', String(statSync(file).size));
        res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
        createReadStream(file).pipe(res);
      });
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
