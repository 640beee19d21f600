import { defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { validateRegistry } from './src/engines/model-registry.ts';

// SharedArrayBuffer (Pyodide interrupts, the synchronous tool bridge) needs cross-origin isolation.
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

const root = import.meta.dirname;
const pyodideDir = resolve(root, 'node_modules/pyodide');
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
function pyodideAssets(): Plugin {
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

/** A malformed models/registry.json fails the build instead of the page. */
function registryCheck(): Plugin {
  return {
    name: 'playground:registry-check',
    buildStart() {
      const file = resolve(root, 'models/registry.json');
      this.addWatchFile(file);
      validateRegistry(JSON.parse(readFileSync(file, 'utf8')));
    },
  };
}

export default defineConfig({
  plugins: [svelte(), pyodideAssets(), registryCheck()],
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['pyodide', '@mlc-ai/web-llm'] },
  server: { headers: isolationHeaders },
  preview: { headers: isolationHeaders },
  build: { target: 'es2022', chunkSizeWarningLimit: 8000 },
});
