import type { Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { hasIndex, indexBytes } from './local-assets.ts';

/**
 * A built-in index up to this size is precached with the app, so search works offline after one
 * visit. A larger one (millions of passages) is fetched per query, as the sharded format
 * intends, and copied into browser storage only when the user asks (Keep the search index
 * offline): precaching it would download gigabytes on a first visit.
 */
const PRECACHE_INDEX_MAX_BYTES = 64 * 2 ** 20;

/**
 * The service worker (Workbox, generated at build time; `vite dev` gets none): after one visit the
 * app works with the network off. It precaches the app shell, Pyodide (core and whatever wheels
 * `playground setup` put in public/pyodide/), a small search index and the example files, each
 * with a content revision, so a new build replaces the whole set at once. Model weights are left
 * alone: WebLLM keeps them in its own Cache API / IndexedDB store, which works offline by itself,
 * and /models/** (local model folders) is the same files under another name.
 */
export function serviceWorker(root: string): Plugin[] {
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
        // Only when a small index is built in (a build without one has no empty-pattern warning).
        ...(hasIndex(root) && indexBytes(root) <= PRECACHE_INDEX_MAX_BYTES
          ? ['generated/index/**/*']
          : []),
        'examples/**/*',
      ],
      globIgnores: ['models/**', '**/node_modules/**'],
      // Pyodide's wasm is about 10 MB: nothing the app needs is skipped.
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
