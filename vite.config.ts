import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { resolve } from 'node:path';
import { ISOLATION_HEADERS } from './build/serve/isolation-headers.ts';
import { serveAppFiles } from './build/vite/app-files.ts';
import { localAssets } from './build/vite/local-assets.ts';
import { pyodideAssets } from './build/vite/pyodide-assets.ts';
import { pythonPolicy } from './build/vite/python-policy.ts';
import { registryCheck } from './build/vite/registry-check.ts';
import { pythonSandboxBundle } from './build/vite/python-sandbox.ts';
import { serviceWorker } from './build/vite/service-worker.ts';

const root = import.meta.dirname;

export default defineConfig({
  plugins: [
    pythonPolicy(),
    svelte(),
    pyodideAssets(root),
    pythonSandboxBundle(root),
    localAssets(root),
    registryCheck(root),
    serveAppFiles(resolve(root, 'models')),
    serviceWorker(root),
  ],
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['pyodide', '@mlc-ai/web-llm'] },
  server: { headers: ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS },
  build: { target: 'es2022', chunkSizeWarningLimit: 8000 },
});
