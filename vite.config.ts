import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { resolve } from 'node:path';
import { localAssets } from './build/vite/local-assets.ts';
import { pyodideAssets } from './build/vite/pyodide-assets.ts';
import { pythonPolicy } from './build/vite/python-policy.ts';
import { registryCheck } from './build/vite/registry-check.ts';
import { localModels } from './build/vite/local-models.ts';
import { pythonSandboxBundle } from './build/vite/python-sandbox.ts';
import { serviceWorker } from './build/vite/service-worker.ts';

// SharedArrayBuffer (Pyodide interrupts, the synchronous tool bridge) needs cross-origin isolation.
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

const root = import.meta.dirname;

export default defineConfig({
  plugins: [
    pythonPolicy(),
    svelte(),
    pyodideAssets(root),
    pythonSandboxBundle(root),
    localAssets(root),
    registryCheck(root),
    localModels(resolve(root, 'models')),
    serviceWorker(root),
  ],
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['pyodide', '@mlc-ai/web-llm'] },
  server: { headers: isolationHeaders },
  preview: { headers: isolationHeaders },
  build: { target: 'es2022', chunkSizeWarningLimit: 8000 },
});
