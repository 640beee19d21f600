import { defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { localModels } from './src/cli/local-models-plugin.ts';
import { validateRegistry } from './src/engines/model-registry.ts';
import {
  parsePythonPolicy,
  PYTHON_POLICY_ENV,
  PYTHON_POLICY_OFF_WARNING,
} from './src/python/python-policy.ts';
import { availableWheels, defaultWheelsDir } from './src/python/node-packages.ts';
import { DEFAULT_PYODIDE_PACKAGES } from './src/cli/setup/pyodide-packages.ts';

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

const defaultIndexDir = resolve(root, 'public/generated/index');
const indexDir = () => resolve(process.env.PLAYGROUND_INDEX_DIR ?? defaultIndexDir);
const hasIndex = () => existsSync(join(indexDir(), 'manifest.json'));

/**
 * The search index the app serves at /generated/index/: public/generated/index by default, or
 * the folder named by PLAYGROUND_INDEX_DIR (tests build a small one elsewhere). The app reads
 * /local-assets.json to learn whether an index exists, so a missing one costs no failed request.
 */
function localAssets(): Plugin {
  const defaultDir = defaultIndexDir;
  // Pyodide packages `playground setup` puts in public/pyodide/; the app names any missing.
  const python = () => {
    const present = availableWheels(defaultWheelsDir(), DEFAULT_PYODIDE_PACKAGES);
    return { missing: DEFAULT_PYODIDE_PACKAGES.filter((p) => !present.includes(p)) };
  };
  const status = () => {
    const manifest = join(indexDir(), 'manifest.json');
    if (!existsSync(manifest)) return { index: null, python: python() };
    const m = JSON.parse(readFileSync(manifest, 'utf8')) as { counts?: { passages?: number } };
    return {
      index: { url: 'generated/index/', passages: m.counts?.passages ?? null },
      python: python(),
    };
  };
  return {
    name: 'playground:local-assets',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const url = req.url?.split('?')[0] ?? '';
        if (url === '/local-assets.json') {
          res.setHeader('Content-Type', 'application/json');
          res.end(JSON.stringify(status()));
          return;
        }
        const m = /^\/generated\/index\/([\w.-]+)$/.exec(url);
        const name = m?.[1];
        if (!name || indexDir() === defaultDir) return next();
        const file = join(indexDir(), name);
        if (!existsSync(file)) return next();
        res.setHeader('Content-Length', String(statSync(file).size));
        createReadStream(file).pipe(res);
      });
    },
    generateBundle() {
      this.emitFile({
        type: 'asset',
        fileName: 'local-assets.json',
        source: JSON.stringify(status()),
      });
      const dir = indexDir();
      // public/ is copied by Vite itself; only an index from elsewhere needs emitting.
      if (dir === defaultDir || !existsSync(join(dir, 'manifest.json'))) return;
      for (const name of readdirSync(dir)) {
        this.emitFile({
          type: 'asset',
          fileName: `generated/index/${name}`,
          source: readFileSync(join(dir, name)),
        });
      }
    },
  };
}

/**
 * The service worker (Workbox, generated at build time; `vite dev` gets none): after one visit the
 * app works with the network off. It precaches the app shell, Pyodide (core and whatever wheels
 * `playground setup` put in public/pyodide/), the search index shards and the example files, each
 * with a content revision, so a new build replaces the whole set at once. Model weights are left
 * alone: WebLLM keeps them in its own Cache API / IndexedDB store, which works offline by itself,
 * and /models/** (local model folders) is the same files under another name.
 */
function serviceWorker(): Plugin[] {
  // The app registers the worker only in a build. Not import.meta.env.PROD: a build run under
  // NODE_ENV=test (the e2e harness inside vitest) has PROD false but still emits sw.js.
  const flag: Plugin = {
    name: 'playground:service-worker-flag',
    config: (_, { command }) => ({
      define: { __SERVICE_WORKER__: JSON.stringify(command === 'build') },
    }),
  };
  const pwa = VitePWA({
    // The app shows "update ready" and reloads when asked: an automatic reload would kill a run.
    registerType: 'prompt',
    // Registered in src/ui/pwa/ with workbox-window, only in production builds.
    injectRegister: false,
    manifest: false,
    workbox: {
      globPatterns: [
        '**/*.{html,js,mjs,css,svg,png,woff,woff2,ttf,wasm}',
        'local-assets.json',
        'pyodide/**/*',
        // Only when an index is built in, so a build without one has no empty-pattern warning.
        ...(hasIndex() ? ['generated/index/**/*'] : []),
        'examples/**/*',
      ],
      globIgnores: ['models/**', '**/node_modules/**'],
      // Index shards are tens of MB and Pyodide's wasm about 10: nothing the app needs is skipped.
      maximumFileSizeToCacheInBytes: 512 * 2 ** 20,
      cleanupOutdatedCaches: true,
      // Workbox's quiet production runtime even when the build runs under NODE_ENV=test (e2e),
      // so tests exercise what ships.
      mode: 'production',
      // The first visit is controlled as soon as the precache is stored (an update still waits).
      clientsClaim: true,
      navigateFallback: 'index.html',
      navigateFallbackDenylist: [/^\/models\//],
    },
    devOptions: { enabled: false },
  });
  return [flag, ...pwa];
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

/** PLAYGROUND_PYTHON_POLICY=off npm run build: an app whose model code may import js. */
function pythonPolicy(): Plugin {
  const policy = parsePythonPolicy(process.env[PYTHON_POLICY_ENV]);
  return {
    name: 'playground:python-policy',
    config: () => ({ define: { __PLAYGROUND_PYTHON_POLICY__: JSON.stringify(policy) } }),
    buildStart() {
      if (policy === 'off') this.warn(PYTHON_POLICY_OFF_WARNING);
    },
  };
}

export default defineConfig({
  plugins: [
    pythonPolicy(),
    svelte(),
    pyodideAssets(),
    localAssets(),
    registryCheck(),
    localModels({ modelsDir: resolve(root, 'models') }),
    serviceWorker(),
  ],
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['pyodide', '@mlc-ai/web-llm'] },
  server: { headers: isolationHeaders },
  preview: { headers: isolationHeaders },
  build: { target: 'es2022', chunkSizeWarningLimit: 8000 },
});
