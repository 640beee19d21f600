/**
 * The runtime as it starts inside the browser sandbox worker (docs/sandbox-security.md,
 * "Browser"): it checks the wall before any Python exists, then loads Pyodide from bytes the page
 * hands over (the worker itself cannot fetch anything).
 */
import type { loadPyodide as LoadPyodide } from 'pyodide';
import { AssetClient, isAssetReply } from './asset-client.ts';
import type { SandboxWorkerInbound, SandboxWorkerOutbound } from './frame-protocol.ts';
import { startRuntime } from './worker-runtime.ts';

export interface WorkerScope {
  postMessage(message: SandboxWorkerOutbound): void;
  addEventListener(
    type: 'message',
    listener: (event: MessageEvent<SandboxWorkerInbound>) => void,
  ): void;
}

type PyodideOptions = NonNullable<Parameters<typeof LoadPyodide>[0]>;

export function startBrowserRuntime(scope: WorkerScope, loadPyodide: typeof LoadPyodide): void {
  const assets = new AssetClient((m) => scope.postMessage(m));
  const load = async (options: PyodideOptions = {}) => {
    // After the wall check: from here on, Pyodide's fetches are answered by the page.
    const indexURL = options.indexURL ?? '';
    globalThis.fetch = assets.fetchFor(indexURL, globalThis.fetch.bind(globalThis));
    const asm = await assets.get('pyodide.asm.mjs');
    const url = URL.createObjectURL(new Blob([asm], { type: 'text/javascript' }));
    const mod = (await import(/* @vite-ignore */ url)) as {
      default: PyodideOptions['createPyodideModule'];
    };
    URL.revokeObjectURL(url);
    return loadPyodide({ ...options, createPyodideModule: mod.default });
  };
  startRuntime(
    {
      post: (m) => scope.postMessage(m),
      onMessage: (h) =>
        scope.addEventListener('message', (e) => {
          if (isAssetReply(e.data)) assets.settle(e.data);
          else h(e.data);
        }),
    },
    load,
    checkWall,
  );
}

/**
 * Refuses to run Python unless the worker really is walled in: an opaque origin (no storage,
 * cookies or service worker of the app), no IndexedDB, and fetch denied by the frame's CSP.
 */
async function checkWall(): Promise<Record<string, string>> {
  const refuse = (what: string): never => {
    throw new Error(`The Python sandbox is not walled in (${what}); refusing to run code.`);
  };
  if (self.origin !== 'null') refuse(`its origin is ${self.origin}`);
  if (!globalThis.crossOriginIsolated) refuse('not cross-origin isolated');
  let idb = 'denied';
  try {
    if (typeof indexedDB !== 'undefined') {
      indexedDB.open('playground-wall-probe');
      idb = 'open';
    }
  } catch {
    // SecurityError: what an opaque origin gets
  }
  if (idb !== 'denied') refuse('IndexedDB is reachable');
  // The frame's CSP (connect-src 'none') denies even a blob: URL: if this one is read, no CSP
  // reached the worker.
  const probe = URL.createObjectURL(new Blob(['probe']));
  const reached = await fetch(probe).then(
    () => true,
    () => false,
  );
  URL.revokeObjectURL(probe);
  if (reached) refuse('its fetch is not blocked by the frame CSP');
  return { origin: 'opaque', indexedDB: 'denied', network: 'denied' };
}
